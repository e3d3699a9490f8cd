import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isRoot, log } from '../paths';
import { run } from '../processes';
import { BastionEnv } from '../types';
import { startKubeApiServer } from './kubeApiServer';
import { selfScrapeConfig, startPrometheusInstance } from './prometheus';
import { ensureDebianPackage } from '../debian';
import { stopProcess, waitFor } from '../processes';
import { startProxy } from './proxy';
import { startSshd } from './sshd';

/**
 * The host name of the private API server. It is resolved only inside the
 * bastion's namespace (`/etc/netns/<ns>/hosts`, which `ip netns exec`
 * mounts over /etc/hosts); on the host it resolves nowhere, and nothing in
 * the tests asks the host to resolve it.
 */
const API_HOST = 'api.private-cluster.test';
/** A Prometheus on the namespace's loopback, under a name only the namespace resolves. */
const PROMETHEUS_HOST = 'prometheus.private-cluster.test';
const PROMETHEUS_PORT = 9090;
const API_PORT = 6443;
const PREFIX = 'crb';

function alive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Removes namespaces (and their hosts files) left by a test environment that died. */
async function removeStaleNamespaces() {
  const list = await run('ip', ['netns', 'list']).catch(() => '');
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0];
    const m = new RegExp(`^${PREFIX}(\\d+)$`).exec(name);
    if (m && !alive(Number(m[1]))) {
      log(`removing the stale network namespace ${name}`);
      await run('ip', ['netns', 'del', name]).catch(() => undefined);
      fs.rmSync(`/etc/netns/${name}`, { recursive: true, force: true });
    }
  }
}

/** A /30 in 10.213.0.0/16 that no interface of this host uses. */
async function freeSubnet(): Promise<number> {
  const used = await run('ip', ['-4', '-o', 'addr']);
  for (let i = 0; i < 250; i++) {
    const n = ((process.pid + i) % 250) + 1;
    if (!used.includes(`10.213.${n}.`)) return n;
  }
  throw new Error('no free 10.213.N.0/30 for the bastion namespace');
}

/**
 * The production topology of a private cluster, on one machine: a network
 * namespace holding an API server on the namespace's own loopback (the host
 * cannot reach it) and a bastion, OpenSSH and tinyproxy (one anonymous, one
 * with Basic auth), on a veth address the host can reach. The API server's
 * certificate names only its host name, which only the namespace resolves;
 * so a client must reach it through the bastion and verify it under that
 * name. Needs root (`ip netns`).
 */
export async function startBastion(stateDir: string) {
  if (!isRoot()) {
    throw new Error('the bastion needs root: it creates a network namespace');
  }
  await removeStaleNamespaces();
  const ns = `${PREFIX}${process.pid}`;
  const n = await freeSubnet();
  const hostSide = `10.213.${n}.1`;
  const address = `10.213.${n}.2`;
  const dir = path.join(stateDir, 'bastion');
  fs.mkdirSync(dir, { recursive: true });

  const teardownNow = () => {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      // already gone
    }
    fs.rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
  };
  // A signal ends the process before an asynchronous stop completes: the
  // namespace (and its veth pair) is removed on exit in any case.
  process.once('exit', teardownNow);
  const teardown = async () => {
    process.off('exit', teardownNow);
    teardownNow();
  };
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    await Promise.all(stops.map(s => s()));
    await teardown();
  };
  try {
    const inNs = (...args: string[]) =>
      run('ip', ['netns', 'exec', ns, ...args]);
    await run('ip', ['netns', 'add', ns]);
    await run('ip', [
      'link',
      'add',
      `${ns}h`,
      'type',
      'veth',
      'peer',
      'name',
      `${ns}n`,
      'netns',
      ns,
    ]);
    await run('ip', ['addr', 'add', `${hostSide}/30`, 'dev', `${ns}h`]);
    await run('ip', ['link', 'set', `${ns}h`, 'up']);
    await inNs('ip', 'addr', 'add', `${address}/30`, 'dev', `${ns}n`);
    await inNs('ip', 'link', 'set', `${ns}n`, 'up');
    await inNs('ip', 'link', 'set', 'lo', 'up');
    fs.mkdirSync(`/etc/netns/${ns}`, { recursive: true });
    fs.writeFileSync(
      `/etc/netns/${ns}/hosts`,
      `127.0.0.1 localhost\n127.0.0.1 ${API_HOST}\n127.0.0.1 ${PROMETHEUS_HOST}\n`,
    );

    const proxyAuth = { username: 'proxy-user', password: 'proxy-secret-42' };
    await ensureDebianPackage('/usr/bin/prometheus', 'prometheus');
    const prometheus = startPrometheusInstance(
      path.join(dir, 'prometheus'),
      PROMETHEUS_PORT,
      selfScrapeConfig(PROMETHEUS_PORT),
      undefined,
      ns,
    );
    stops.push(() => stopProcess(prometheus));
    await waitFor(
      'prometheus in the bastion namespace',
      async () =>
        (await run('ip', [
          'netns',
          'exec',
          ns,
          'curl',
          '-sf',
          `http://127.0.0.1:${PROMETHEUS_PORT}/-/ready`,
        ]).then(
          () => true,
          () => false,
        )) || undefined,
      { process: prometheus },
    );
    const started = await Promise.allSettled([
      startKubeApiServer(stateDir, 'private-cluster', {
        private: { namespace: ns, host: API_HOST, port: API_PORT },
      }),
      startSshd(stateDir, {
        name: 'bastion-sshd',
        namespace: ns,
        listen: address,
      }),
      startProxy(stateDir, {
        name: 'bastion-proxy',
        namespace: ns,
        listen: address,
        allow: hostSide,
      }),
      startProxy(stateDir, {
        name: 'bastion-auth-proxy',
        namespace: ns,
        listen: address,
        allow: hostSide,
        port: 3129,
        basicAuth: proxyAuth,
      }),
    ] as const);
    for (const r of started)
      if (r.status === 'fulfilled') stops.push(r.value.stop);
    const failed = started.find(r => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const [api, ssh, proxy, authProxy] = started.map(
      r => (r as PromiseFulfilledResult<any>).value,
    );
    const env: BastionEnv = {
      namespace: ns,
      address,
      apiHost: API_HOST,
      kubeApiServer: api.env,
      ssh: ssh.env,
      proxy: proxy.env,
      authProxy: { ...authProxy.env, ...proxyAuth },
      prometheusUrl: `http://${PROMETHEUS_HOST}:${PROMETHEUS_PORT}`,
    };
    return { env, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
