/*
 * Benchmark of Kubernetes plugin requests to a cluster reached directly,
 * through an HTTP CONNECT proxy (tinyproxy) and through an SSH bastion
 * (OpenSSH), in one run against one real kube-apiserver: the real
 * Kubernetes plugin with the registry's module, 20 concurrent keep-alive
 * clients (wrk, a separate process) on GET /api/kubernetes/proxy/... for
 * each cluster in turn. The plugin's /proxy opens a new upstream connection
 * per request (http-proxy without an agent), so each request through a
 * tunnel is a new CONNECT or SSH channel plus a TLS handshake inside it: the
 * tunnels' worst case. Figures are reported as ratios to the direct cluster.
 *
 *   yarn workspace backend bench:tunnels
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import clusterRegistryPlugin from '@cluster-registry/plugin-cluster-registry-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import kubernetesModuleClusterRegistry from '@cluster-registry/plugin-kubernetes-backend-module-cluster-registry';
import {
  b64,
  ensureWrk,
  startTestEnv,
} from '@internal/cluster-registry-test-env';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { authWithActors } from '../src/__testUtils__/authWithActors';

const CLIENTS = 20;
const SECONDS = 10;
const PATH = '/api/kubernetes/proxy/api/v1/namespaces/default';

interface Figures {
  requests: number;
  rps: number;
  p50: number;
  p95: number;
}

async function measure(origin: string, cluster: string): Promise<Figures> {
  const wrk = (seconds: number) =>
    promisify(execFile)(
      'wrk',
      [
        '-t2',
        `-c${CLIENTS}`,
        `-d${seconds}s`,
        '-s',
        path.join(__dirname, 'kubernetesProxy.lua'),
        origin,
        '--',
        PATH,
        cluster,
        // A signed-in user: the registry's module supplies the clusters a
        // user may see.
        mockCredentials.user.header(),
      ],
      { encoding: 'utf8' },
    );
  await wrk(2);
  const { stdout } = await wrk(SECONDS);
  const line = stdout.split('\n').find(l => l.startsWith('RESULT '));
  if (!line) throw new Error(`wrk printed no result:\n${stdout}`);
  const f = Object.fromEntries(
    line
      .slice('RESULT '.length)
      .split(' ')
      .map(pair => pair.split('='))
      .map(([key, value]) => [key, Number(value)]),
  );
  if (f.non2xx || f.socketErrors)
    throw new Error(`${cluster}: failed requests: ${line}`);
  return {
    requests: f.requests,
    rps: f.requests / f.seconds,
    p50: f.p50,
    p95: f.p95,
  };
}

async function main() {
  await ensureWrk();
  const env = await startTestEnv({
    kubeApiServers: 1,
    ssh: true,
    proxy: true,
  });
  try {
    const api = env.env.kubeApiServers[0];
    const ssh = env.env.ssh!;
    const { server } = await startTestBackend({
      features: [
        clusterRegistryPlugin,
        kubernetesPlugin,
        kubernetesModuleClusterRegistry,
        // The real events service: the registry's changes reach the module's list.
        eventsServiceFactory,
        // A user's request names the Kubernetes plugin as the actor, as the
        // real auth service does: the registry hands connections only to
        // its credential consumers.
        authWithActors,
        mockServices.rootLogger.factory({ level: 'error' }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://portal.example' },
            clusterRegistry: {
              encryptionKey: crypto.randomBytes(32).toString('base64'),
              healthCheck: { intervalSeconds: 86400 },
            },
            kubernetes: {
              serviceLocatorMethod: { type: 'multiTenant' },
              clusterLocatorMethods: [{ type: 'config', clusters: [] }],
            },
          },
        }),
      ],
    });
    const connections: Record<string, object> = {
      direct: { method: 'direct' },
      proxy: { method: 'proxy', proxyUrl: env.env.proxy!.url },
      ssh: {
        method: 'sshTunnel',
        sshTunnel: {
          host: ssh.host,
          port: ssh.port,
          username: ssh.username,
          password: ssh.password,
          hostKeys: [ssh.hostKey],
        },
      },
    };
    for (const [name, connection] of Object.entries(connections)) {
      const res = await request(server)
        .post('/api/cluster-registry/clusters')
        .send({
          name,
          serverUrl: api.serverUrl,
          auth: { type: 'bearerToken', token: api.adminToken },
          tls: { caData: b64(api.caData) },
          connection,
        });
      if (res.status !== 201)
        throw new Error(`${name}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    for (const name of Object.keys(connections)) {
      // One request first, so a failure says why instead of counting non-2xx.
      const res = await request(server)
        .get(PATH)
        .set('Backstage-Kubernetes-Cluster', name)
        .set('authorization', mockCredentials.user.header());
      if (res.status !== 200)
        throw new Error(`${name}: ${res.status} ${res.text.slice(0, 500)}`);
    }
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const results: Record<string, Figures> = {};
    for (const name of Object.keys(connections)) {
      results[name] = await measure(origin, name);
    }
    const direct = results.direct;
    process.stdout.write(
      `\nKubernetes plugin GET ${PATH}, ${CLIENTS} clients, ${SECONDS} s each\n`,
    );
    for (const [name, f] of Object.entries(results)) {
      process.stdout.write(
        `${name.padEnd(7)} ${f.rps
          .toFixed(0)
          .padStart(6)} req/s  p50 ${f.p50.toFixed(1)} ms  p95 ${f.p95.toFixed(
          1,
        )} ms  p50 ${(f.p50 / direct.p50).toFixed(2)}x direct  p95 ${(
          f.p95 / direct.p95
        ).toFixed(2)}x  throughput ${(f.rps / direct.rps).toFixed(2)}x\n`,
      );
    }
    await server.close?.();
  } finally {
    await env.stop();
  }
  process.exit(0);
}

main().catch(e => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});
