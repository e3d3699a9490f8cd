// Load generator of registryBench.ts, run in a worker thread so that the
// clients do not share the server's event loop. Receives { requests, clients }
// where each request is { method, url, body?, expect }; replies with the
// sorted latencies (ms) and the wall time (s).
const { parentPort, workerData } = require('node:worker_threads');

async function main() {
  const { requests, clients } = workerData;
  const latencies = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < requests.length) {
        const r = requests[next++];
        const t = performance.now();
        const res = await fetch(r.url, {
          method: r.method,
          headers: r.body ? { 'content-type': 'application/json' } : undefined,
          body: r.body,
        });
        await res.arrayBuffer();
        if (res.status !== r.expect)
          throw new Error(`${r.method} ${r.url}: ${res.status}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  parentPort.postMessage({
    latencies,
    seconds: (performance.now() - started) / 1000,
  });
}

main().catch(e => {
  throw e;
});
