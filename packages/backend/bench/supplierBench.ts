/*
 * Benchmark of the Kubernetes plugin's cluster list with registered against
 * configured clusters (issue #17's first target): the same portal (the real
 * Kubernetes plugin, the registry and its Kubernetes module in one test
 * backend) once with N clusters registered in the registry and once with the
 * same N clusters in `kubernetes.clusterLocatorMethods`, each measured with
 * 20 keep-alive wrk clients on GET /api/kubernetes/clusters, 10 s, in one
 * run, for N = 1,000 and 10,000. Backstage's liveness route in each backend
 * is the floor. Both portals of a size run side by side and are measured
 * in turns, three times each (medians). Also: how soon a registration is in the list after its POST
 * returns (the same replica; the fault stage measures another replica).
 *
 * Then an entity's Kubernetes tab (POST /api/kubernetes/services/shop): an
 * entity on three registered clusters (real kube-apiservers from test-env,
 * named by its cluster-registry.io/clusters annotation), with only those
 * three registered and with N more, 4 concurrent calls for 10 s each.
 *
 *   yarn workspace backend bench:supplier [--clusters 1000,10000]
 */
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import permissionPlugin from '@backstage/plugin-permission-backend';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import clusterRegistryPlugin from '@cluster-registry/plugin-cluster-registry-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import kubernetesModuleClusterRegistry from '@cluster-registry/plugin-kubernetes-backend-module-cluster-registry';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  acquireTestEnv,
  b64,
  createWorkload,
  CLIENTS,
  Latencies,
  measure,
  SECONDS,
  TestEnv,
} from '@internal/cluster-registry-test-env';
import crypto from 'node:crypto';
import { authWithActors } from '../src/__testUtils__/authWithActors';
import { demoPortalPermissionPolicy } from '../src/modules/permissionPolicy';

const argIndex = process.argv.indexOf('--clusters');
const SIZES =
  argIndex > 0
    ? process.argv[argIndex + 1].split(',').map(Number)
    : [1_000, 10_000];
const CATEGORIES = ['prod', 'staging', 'qa', 'dev'];
const LIST = '/api/kubernetes/clusters';
const LIVENESS = '/.backstage/health/v1/liveness';
// Never dialled: the list route does not contact clusters.
const SERVER_URL = 'https://127.0.0.1:6443';

const ADMIN = 'user:default/admin';
/** Headers of a registry write: JSON, as the admin. */
const asAdmin = {
  'content-type': 'application/json',
  authorization: mockCredentials.user.header(ADMIN),
};

const name = (i: number) => `cluster-${String(i).padStart(5, '0')}`;

/** The entity whose tab is measured, on three clusters it names. */
const SHOP_CLUSTERS = ['shop-1', 'shop-2', 'shop-3'];
const SHOP = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'shop',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'shop-bench',
      'cluster-registry.io/clusters': SHOP_CLUSTERS.join(','),
    },
  },
  spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
};
const TAB = '/api/kubernetes/services/shop';

async function startPortal(configured: object[]) {
  return startTestBackend({
    features: [
      catalogServiceMock.factory({ entities: [SHOP] }),
      // The real permission backend with the demo policy: the Kubernetes
      // plugin's own check and the module's decision are HTTP calls, as in
      // a portal.
      permissionPlugin,
      demoPortalPermissionPolicy,
      permissionsServiceFactory,
      clusterRegistryPlugin,
      kubernetesPlugin,
      kubernetesModuleClusterRegistry,
      // The real events service: the registry's changes reach the module's list.
      eventsServiceFactory,
      authWithActors,
      mockServices.rootLogger.factory({ level: 'error' }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://portal.example' },
          // The clusters are registered as an admin; the measured requests
          // (no token: the test backend's default user) are a reader's.
          permission: { enabled: true, admins: [ADMIN] },
          clusterRegistry: {
            encryptionKey: crypto.randomBytes(32).toString('base64'),
            healthCheck: { intervalSeconds: 86400 },
          },
          kubernetes: {
            serviceLocatorMethod: { type: 'multiTenant' },
            clusterLocatorMethods: [{ type: 'config', clusters: configured }],
          },
        },
      }),
    ],
  });
}

/** POSTs the clusters, 20 at a time. */
async function register(origin: string, count: number) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < count) {
        const i = next++;
        const res = await fetch(`${origin}/api/cluster-registry/clusters`, {
          method: 'POST',
          headers: asAdmin,
          body: JSON.stringify({
            name: name(i),
            title: `Cluster ${i}`,
            category: CATEGORIES[i % CATEGORIES.length],
            serverUrl: SERVER_URL,
            auth: { type: 'bearerToken', token: `token-${i}` },
            skipVerification: true,
          }),
        });
        if (res.status !== 201)
          throw new Error(`POST ${name(i)}: ${res.status} ${await res.text()}`);
      }
    }),
  );
}

async function listedBody(origin: string): Promise<string> {
  const res = await fetch(`${origin}${LIST}`);
  if (res.status !== 200) throw new Error(`${LIST}: ${res.status}`);
  return res.text();
}

async function listed(origin: string): Promise<string[]> {
  return (JSON.parse(await listedBody(origin)).items as { name: string }[]).map(
    c => c.name,
  );
}

/** Registers the entity's three clusters on the test API servers. */
async function registerShop(origin: string, env: TestEnv) {
  for (const [i, cluster] of SHOP_CLUSTERS.entries()) {
    const api = env.kubeApiServers[i % env.kubeApiServers.length];
    const res = await fetch(`${origin}/api/cluster-registry/clusters`, {
      method: 'POST',
      headers: asAdmin,
      body: JSON.stringify({
        name: cluster,
        serverUrl: api.serverUrl,
        auth: { type: 'bearerToken', token: api.readOnlyToken },
        tls: { caData: b64(api.caData) },
      }),
    });
    if (res.status !== 201)
      throw new Error(`POST ${cluster}: ${res.status} ${await res.text()}`);
  }
}

/** The tab's call, 4 at a time for SECONDS: latencies in ms. */
async function measureTab(origin: string): Promise<Latencies> {
  const call = async () => {
    const res = await fetch(`${origin}${TAB}`, {
      method: 'POST',
      // a reader, as the list's requests
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ entity: SHOP }),
    });
    const body = await res.json();
    if (res.status !== 200 || body.items?.length !== SHOP_CLUSTERS.length)
      throw new Error(
        `${TAB}: ${res.status} ${JSON.stringify(body).slice(0, 500)}`,
      );
    const errors = body.items.flatMap((i: { errors: unknown[] }) => i.errors);
    if (errors.length) throw new Error(`${TAB}: ${JSON.stringify(errors)}`);
  };
  for (let i = 0; i < 5; i++) await call();
  const latencies: number[] = [];
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (performance.now() < until) {
        const started = performance.now();
        await call();
        latencies.push(performance.now() - started);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.floor(q * (latencies.length - 1))];
  return { requests: latencies.length, p50: at(0.5), p95: at(0.95) };
}

const ROUNDS = 3;
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Several measurements of one route, as their medians. */
function medianOf(runs: Latencies[]): Latencies {
  return {
    requests: median(runs.map(r => r.requests)),
    p50: median(runs.map(r => r.p50)),
    p95: median(runs.map(r => r.p95)),
  };
}

const rate = (l: Latencies) => l.requests / SECONDS;
const pair = (a: number, b: number) => `${a.toFixed(1)} / ${b.toFixed(1)}`;
/** p50 and p95 of one measurement against its anchor's. */
const ratios = (l: Latencies, anchor: Latencies) =>
  `${(l.p50 / anchor.p50).toFixed(2)}x / ${(l.p95 / anchor.p95).toFixed(2)}x`;

/** A new registration, read back at once: ms from its POST's answer to the first list holding it. */
async function freshness(origin: string) {
  const extra = 'cluster-fresh';
  const res = await fetch(`${origin}/api/cluster-registry/clusters`, {
    method: 'POST',
    headers: asAdmin,
    body: JSON.stringify({
      name: extra,
      serverUrl: SERVER_URL,
      auth: { type: 'bearerToken', token: 'fresh' },
      skipVerification: true,
    }),
  });
  const posted = performance.now();
  if (res.status !== 201) throw new Error(`POST ${extra}: ${res.status}`);
  for (let reads = 1; reads <= 100; reads++) {
    if ((await listed(origin)).includes(extra))
      return `${(performance.now() - posted).toFixed(0)} ms (${reads} read${
        reads > 1 ? 's' : ''
      })`;
  }
  return 'never';
}

/*
 * Both portals of a size run side by side in this process and are measured
 * in turns, ROUNDS times each; each figure is the median of its rounds, so
 * a slower minute of this shared machine lands on both.
 */
async function main() {
  const env = await acquireTestEnv({ kubeApiServers: 2 });
  const rows: string[] = [];
  const tabRows: string[] = [];
  // The entity's workload on both API servers (once per run: a new name).
  for (const api of env.env.kubeApiServers)
    await createWorkload(api, {
      name: `shop-${Date.now()}`,
      labels: { 'backstage.io/kubernetes-id': 'shop-bench' },
    });
  // The tab with only the entity's three clusters registered.
  const alone = await startPortal([]);
  const aloneOrigin = `http://127.0.0.1:${alone.server.port()}`;
  await registerShop(aloneOrigin, env.env);
  for (const count of SIZES) {
    // Registered: N clusters through the registry's POST.
    const registeredPortal = await startPortal([]);
    const origin = `http://127.0.0.1:${registeredPortal.server.port()}`;
    const seeded = Date.now();
    await register(origin, count);
    const seedSeconds = (Date.now() - seeded) / 1000;
    // Configured: the same N clusters in app-config.
    const configuredPortal = await startPortal(
      Array.from({ length: count }, (_, i) => ({
        name: name(i),
        title: `Cluster ${i} (${CATEGORIES[i % CATEGORIES.length]})`,
        url: SERVER_URL,
        authProvider: 'serviceAccount',
        serviceAccountToken: `token-${i}`,
        skipMetricsLookup: true,
        // What the registry supplies for each of its clusters too: a link
        // to its page, so both lists answer the same bytes.
        dashboardUrl: `http://portal.example/clusters/${name(i)}`,
      })),
    );
    const configuredOrigin = `http://127.0.0.1:${configuredPortal.server.port()}`;
    const bytes: number[] = [];
    for (const o of [origin, configuredOrigin]) {
      const names = await listed(o);
      if (names.length !== count)
        throw new Error(`${o}: ${names.length} clusters listed, not ${count}`);
      bytes.push(Buffer.byteLength(await listedBody(o)));
    }
    const runs = {
      registered: [] as Latencies[],
      configured: [] as Latencies[],
    };
    for (let round = 0; round < ROUNDS; round++) {
      runs.registered.push(
        await measure(`registered-${count}`, origin, [LIST]),
      );
      runs.configured.push(
        await measure(`configured-${count}`, configuredOrigin, [LIST]),
      );
    }
    const floor = await measure(`floor-${count}`, origin, [LIVENESS]);
    const registered = medianOf(runs.registered);
    const configured = medianOf(runs.configured);
    const fresh = await freshness(origin);
    rows.push(
      [
        count.toLocaleString('en-US').padStart(6),
        pair(registered.p50, registered.p95).padStart(13),
        pair(configured.p50, configured.p95).padStart(13),
        ratios(registered, configured).padStart(15),
        `${(rate(registered) / rate(configured)).toFixed(2)}x`.padStart(10),
        `${(rate(registered) / rate(floor)).toFixed(3)}`.padStart(14),
        fresh.padStart(16),
        `${(count / seedSeconds).toFixed(0)}/s`.padStart(8),
        `${bytes[0]} / ${bytes[1]}`.padStart(17),
      ].join('  '),
    );
    await configuredPortal.stop();

    // The same tab among N other registered clusters, in turns with the
    // portal that has only the three.
    await registerShop(origin, env.env);
    const tabRuns = { among: [] as Latencies[], alone: [] as Latencies[] };
    for (let round = 0; round < ROUNDS; round++) {
      tabRuns.among.push(await measureTab(origin));
      tabRuns.alone.push(await measureTab(aloneOrigin));
    }
    const tab = medianOf(tabRuns.among);
    const tabAlone = medianOf(tabRuns.alone);
    tabRows.push(
      [
        count.toLocaleString('en-US').padStart(6),
        pair(tab.p50, tab.p95).padStart(13),
        pair(tabAlone.p50, tabAlone.p95).padStart(13),
        ratios(tab, tabAlone).padStart(15),
        `${tab.requests} / ${tabAlone.requests}`.padStart(11),
      ].join('  '),
    );
    await registeredPortal.stop();
  }
  await alone.stop();
  process.stdout.write(
    `\nGET ${LIST}, ${CLIENTS} clients, ${SECONDS} s, median of ${ROUNDS} turns each; p50 / p95 in ms\n` +
      `${'N'.padStart(6)}  ${'registered'.padStart(
        13,
      )}  ${'configured'.padStart(13)}  ${'reg./conf.'.padStart(
        15,
      )}  ${'req/s r/c'.padStart(10)}  ${'r/liveness'.padStart(
        14,
      )}  ${'fresh after POST'.padStart(16)}  ${'seeding'.padStart(
        8,
      )}  ${'bytes r/c'.padStart(17)}\n` +
      `${rows.join('\n')}\n` +
      `\nPOST ${TAB} (an entity on 3 registered clusters), 4 concurrent calls, ${SECONDS} s, median of ${ROUNDS} turns each; p50 / p95 in ms\n` +
      `${'N more'.padStart(6)}  ${'with N more'.padStart(
        13,
      )}  ${'only the 3'.padStart(13)}  ${'ratio'.padStart(
        15,
      )}  ${'calls'.padStart(11)}\n` +
      `${tabRows.join('\n')}\n`,
  );
  await env.stop();
  process.exit(0);
}

main().catch(e => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});
