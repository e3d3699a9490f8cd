import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import clusterRegistryPlugin from '@cluster-registry/plugin-cluster-registry-backend';
import {
  b64,
  KubeApiServerEnv,
  RunningTestEnv,
  startTestEnv,
} from '@internal/cluster-registry-test-env';
import crypto from 'node:crypto';
import request from 'supertest';

jest.setTimeout(120_000);

/**
 * A real API server that stops answering (SIGSTOP: its process is frozen,
 * connections hang, as with a hung or partitioned control plane) and comes
 * back (SIGCONT): one health sweep marks the cluster unreachable, with why,
 * and the next one running again. The API server is this test's own: the
 * shared environment's serve other suites.
 */
describe('an API server that stops answering and comes back', () => {
  let env: RunningTestEnv;
  let api: KubeApiServerEnv;
  let server: any;
  const scheduler = mockServices.scheduler.mock();
  const sweep = () =>
    scheduler.scheduleTask.mock.calls
      .find(([task]) => task.id === 'cluster-registry-health-check')![0]
      .fn(new AbortController().signal);
  const state = async () =>
    (await request(server).get('/api/cluster-registry/clusters/flaky')).body
      .status;

  beforeAll(async () => {
    env = await startTestEnv({ kubeApiServers: 1 });
    api = env.env.kubeApiServers[0];
    ({ server } = await startTestBackend({
      features: [
        clusterRegistryPlugin,
        scheduler.factory,
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://portal.example' },
            clusterRegistry: {
              encryptionKey: crypto.randomBytes(32).toString('base64'),
              healthCheck: { intervalSeconds: 60 },
              verificationTimeoutMs: 2000,
            },
          },
        }),
      ],
    }));
    await request(server)
      .post('/api/cluster-registry/clusters')
      .send({
        name: 'flaky',
        serverUrl: api.serverUrl,
        auth: { type: 'bearerToken', token: api.readOnlyToken },
        tls: { caData: b64(api.caData) },
      })
      .expect(201);
  });

  afterAll(async () => {
    try {
      process.kill(api.pid, 'SIGCONT');
    } catch {
      // already gone
    }
    await env?.stop();
  });

  it('is unreachable after one sweep while it is stopped, and running after one sweep once it is back', async () => {
    await sweep();
    expect(await state()).toMatchObject({ state: 'running' });

    process.kill(api.pid, 'SIGSTOP');
    await sweep();
    const down = await state();
    expect(down).toMatchObject({ state: 'unreachable' });
    expect(down.message).toMatch(/2000 ms|timed? ?out/i);

    process.kill(api.pid, 'SIGCONT');
    await sweep();
    expect(await state()).toMatchObject({ state: 'running' });
  });
});
