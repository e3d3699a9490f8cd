import { mockCredentials } from '@backstage/backend-test-utils';
import notificationsPlugin from '@backstage/plugin-notifications-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  acquireTestEnv,
  b64,
  createServiceAccountToken,
  RunningTestEnv,
} from '@internal/cluster-registry-test-env';
import request from 'supertest';
import { startRegistry } from '../__testUtils__/startRegistry';
import { manualSweeps } from '../__testUtils__/manualSweeps';

jest.setTimeout(240_000);

const BASE = '/api/cluster-registry';
const owner = mockCredentials.user().principal.userEntityRef;

describe('credential-expiry notifications through the real notifications backend', () => {
  let running: RunningTestEnv;
  let server: any;
  const { factory: schedulerFactory, sweep } = manualSweeps();
  beforeAll(async () => {
    running = await acquireTestEnv({ kubeApiServers: 1 });
    server = await startRegistry({
      config: { app: { baseUrl: 'http://localhost:3000' } },
      settings: {
        // A token valid for 20 minutes is "expiring" with a 1-day window.
        credentialExpiry: { warningDays: 1 },
      },
      features: [
        schedulerFactory,
        notificationsPlugin,
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'User',
              metadata: { name: 'mock', namespace: 'default' },
              spec: {},
            },
          ],
        }),
      ],
    });
  });
  afterAll(() => running?.stop());

  const notifications = async () =>
    (await request(server).get('/api/notifications/notifications')).body
      .notifications as Array<{
      id: string;
      read: string | null;
      payload: { title: string; description: string; link: string };
    }>;

  it("tells the owner once that a cluster's token expires soon; clusters with a lasting credential say nothing", async () => {
    const api = running.env.kubeApiServers[0];
    const token = await createServiceAccountToken(api, {
      name: 'notified',
      clusterRole: 'view',
      expirationSeconds: 1200,
    });
    for (const [name, clusterToken] of [
      ['expiring-soon', token],
      ['static-token', api.readOnlyToken],
    ]) {
      const res = await request(server)
        .post(`${BASE}/clusters`)
        .send({
          name,
          owner,
          serverUrl: api.serverUrl,
          auth: { type: 'bearerToken', token: clusterToken },
          tls: { caData: b64(api.caData) },
        });
      expect(res.status).toBe(201);
    }

    await sweep();
    const found = await notifications();
    expect(found).toHaveLength(1);
    expect(found[0].payload).toMatchObject({
      title: 'The credentials of cluster expiring-soon expire within a day',
      link: '/clusters/expiring-soon',
    });
    expect(found[0].payload.description).toMatch(
      /^The bearer token the portal uses for expiring-soon expires on /,
    );
    expect(JSON.stringify(found)).not.toContain(token);

    // Read by the owner; later sweeps do not send it again (which would
    // mark it unread).
    expect(found[0].read).toBeNull();
    await request(server)
      .post('/api/notifications/notifications/update')
      .send({ ids: [found[0].id], read: true })
      .expect(200);
    await sweep();
    await sweep();
    const later = await notifications();
    expect(later).toHaveLength(1);
    expect(later[0].read).not.toBeNull();
  });
});
