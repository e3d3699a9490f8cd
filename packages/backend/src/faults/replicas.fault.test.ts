import {
  coreServices,
  createServiceFactory,
  RootLoggerService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import eventsPlugin from '@backstage/plugin-events-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import clusterRegistryPlugin from '@cluster-registry/plugin-cluster-registry-backend';
import kubernetesModuleClusterRegistry from '@cluster-registry/plugin-kubernetes-backend-module-cluster-registry';
import {
  acquireTestEnv,
  b64,
  RunningTestEnv,
} from '@internal/cluster-registry-test-env';
import crypto from 'node:crypto';
import request from 'supertest';
import { authWithActors } from '../__testUtils__/authWithActors';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
const INTERVAL_S = 2;

/** The lines one replica logs. */
function recordingLogger(lines: string[]): RootLoggerService {
  const make = (): RootLoggerService => {
    const log = (message: string) => {
      lines.push(message);
    };
    return { error: log, warn: log, info: log, debug: log, child: make };
  };
  return make();
}

/**
 * Two backend replicas on one PostgreSQL database, with the real scheduler
 * and the events backend (its bus in that database): a cluster registered
 * on one is in both replicas' Kubernetes plugins within a second of its
 * POST, though each keeps its own list, and the health sweep (a global
 * task, every 2 s here) runs once per interval in total, not once per
 * replica.
 */
describe('two backend replicas on one PostgreSQL', () => {
  let running: RunningTestEnv;
  const replicas: any[] = [];
  const logs: string[][] = [[], []];

  beforeAll(async () => {
    running = await acquireTestEnv({ kubeApiServers: 1 });
    // One database per plugin, shared by both replicas, as in production
    // (plugins run their migrations independently).
    const perPlugin = new Map<string, ReturnType<typeof databases.init>>();
    const databaseOf = (pluginId: string) => {
      if (!perPlugin.has(pluginId))
        perPlugin.set(pluginId, databases.init('POSTGRES_15'));
      return perPlugin.get(pluginId)!;
    };
    const encryptionKey = crypto.randomBytes(32).toString('base64');
    for (const i of [0, 1]) {
      const { server } = await startTestBackend({
        features: [
          clusterRegistryPlugin,
          // The real events service (not the test backend's mock): one local
          // bus for the plugins of a replica, the events backend's bus
          // between replicas.
          eventsPlugin,
          eventsServiceFactory,
          kubernetesPlugin,
          kubernetesModuleClusterRegistry,
          authWithActors,
          // The real scheduler: its global tasks take a lock in the shared database.
          schedulerServiceFactory,
          createServiceFactory({
            service: coreServices.database,
            deps: { plugin: coreServices.pluginMetadata },
            async factory({ plugin }) {
              const knex = await databaseOf(plugin.getId());
              return { getClient: async () => knex };
            },
          }),
          createServiceFactory({
            service: coreServices.rootLogger,
            deps: {},
            factory: () => recordingLogger(logs[i]),
          }),
          mockServices.rootConfig.factory({
            data: {
              app: { baseUrl: 'http://portal.example' },
              clusterRegistry: {
                encryptionKey,
                healthCheck: { intervalSeconds: INTERVAL_S },
              },
              kubernetes: {
                serviceLocatorMethod: { type: 'multiTenant' },
                clusterLocatorMethods: [{ type: 'config', clusters: [] }],
              },
            },
          }),
        ],
      });
      replicas.push(server);
    }
  });

  afterAll(() => running?.stop());

  it('serves a registration made on one replica from both within a second, and sweeps once per interval in total', async () => {
    const [a, b] = replicas;
    const api = running.env.kubeApiServers[0];
    const supplied = async (replica: any) => {
      const res = await request(replica)
        .get('/api/kubernetes/clusters')
        .set('authorization', mockCredentials.user.header());
      expect(res.status).toBe(200);
      return res.body.items.map((c: any) => c.name) as string[];
    };
    const register = () =>
      request(a)
        .post('/api/cluster-registry/clusters')
        .send({
          name: 'replicated',
          serverUrl: api.serverUrl,
          auth: { type: 'bearerToken', token: api.readOnlyToken },
          tls: { caData: b64(api.caData) },
        })
        .expect(201);
    // Both replicas have read their lists before the registration.
    for (const replica of replicas)
      expect(await supplied(replica)).not.toContain('replicated');
    await register();
    const posted = Date.now();
    // The same replica: at its very next request.
    expect(await supplied(a)).toContain('replicated');
    // The other one: once the events bus has handed it the change.
    while (!(await supplied(b)).includes('replicated')) {
      if (Date.now() - posted > 5_000) break;
      await new Promise(r => setTimeout(r, 20));
    }
    const lagMs = Date.now() - posted;
    process.stdout.write(
      `replicas: usable on the other replica ${lagMs} ms after the POST\n`,
    );
    expect(await supplied(b)).toContain('replicated');
    expect(lagMs).toBeLessThanOrEqual(1_000);

    // A disconnection leaves both the same way.
    await request(b)
      .delete('/api/cluster-registry/clusters/replicated')
      .expect(204);
    const deleted = Date.now();
    expect(await supplied(b)).not.toContain('replicated');
    while ((await supplied(a)).includes('replicated')) {
      if (Date.now() - deleted > 1_000) break;
      await new Promise(r => setTimeout(r, 20));
    }
    expect(await supplied(a)).not.toContain('replicated');
    await register();

    // Sweeps: count them in both replicas' logs over a while.
    const sweeps = () =>
      logs.map(
        lines => lines.filter(l => /^health check: \d+ cluster/.test(l)).length,
      );
    const deadline = Date.now() + 40_000;
    while (sweeps()[0] + sweeps()[1] < 1 && Date.now() < deadline)
      await new Promise(r => setTimeout(r, 200));
    const first = sweeps();
    const started = Date.now();
    await new Promise(r => setTimeout(r, 5 * INTERVAL_S * 1000));
    const elapsedIntervals = (Date.now() - started) / (INTERVAL_S * 1000);
    const [ofA, ofB] = sweeps();
    const total = ofA + ofB - (first[0] + first[1]);
    // One per interval (a little slack for timing), never one per replica.
    expect(total).toBeGreaterThanOrEqual(2);
    expect(total).toBeLessThanOrEqual(Math.ceil(elapsedIntervals) + 1);
    process.stdout.write(
      `replicas: ${total} sweeps in ${elapsedIntervals.toFixed(
        1,
      )} intervals (A ran ${ofA}, B ran ${ofB} in all)\n`,
    );
  });
});
