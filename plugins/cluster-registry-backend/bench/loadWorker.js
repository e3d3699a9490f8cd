// Load generator of registryBench.ts, run in a worker thread so that the
// clients do not share the server's event loop. Receives { requests, clients }
// where each request is { method, url, body?, expect }; replies with the
// sorted latencies (ms) and the wall time (s).
//
// Each client is one keep-alive connection (node:http, as autocannon or wrk
// would use); it asks for gzip like a browser does, so the server compresses
// as it would in production, and drains the body without decoding it.
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');

function send(agent, request) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      request.url,
      {
        method: request.method,
        agent,
        headers: {
          'accept-encoding': 'gzip',
          ...(request.body ? { 'content-type': 'application/json' } : {}),
        },
      },
      res => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(request.body);
  });
}

async function main() {
  const { requests, clients } = workerData;
  const latencies = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      while (next < requests.length) {
        const r = requests[next++];
        const t = performance.now();
        const status = await send(agent, r);
        if (status !== r.expect)
          throw new Error(`${r.method} ${r.url}: ${status}`);
        latencies.push(performance.now() - t);
      }
      agent.destroy();
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
