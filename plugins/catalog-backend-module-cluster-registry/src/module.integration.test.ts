import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import clusterRegistryPlugin from '@cluster-registry/plugin-cluster-registry-backend';
import crypto from 'node:crypto';
import request from 'supertest';
import catalogModuleClusterRegistry from '.';

jest.setTimeout(120_000);

async function eventually<T>(fn: () => Promise<T>, ok: (value: T) => boolean) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await fn();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise(r => setTimeout(r, 250));
  }
}

/**
 * The catalog with this module and the registry, as in a portal: the real
 * events service (the test backend's default does not deliver) and a
 * catalog that processes every second.
 */
function startPortal(options: {
  registry: object;
  features?: Parameters<typeof startTestBackend>[0]['features'];
}) {
  return startTestBackend({
    features: [
      catalogPlugin,
      catalogModuleClusterRegistry,
      clusterRegistryPlugin,
      eventsServiceFactory,
      ...(options.features ?? []),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://portal.example' },
          clusterRegistry: {
            encryptionKey: crypto.randomBytes(32).toString('base64'),
            ...options.registry,
          },
          catalog: { processingInterval: { seconds: 1 } },
        },
      }),
    ],
  });
}

describe('catalog module: registered clusters as Resource entities in the real catalog', () => {
  it('follows registrations, edits and disconnects; filterable by category; no credentials', async () => {
    const { server } = await startPortal({
      registry: {
        healthCheck: { intervalSeconds: 86400 },
        catalog: { system: 'platform-clusters' },
      },
    });
    const register = (body: object) =>
      request(server)
        .post('/api/cluster-registry/clusters')
        .send(body)
        .expect(201);
    await register({
      name: 'bank-prod',
      title: 'Bank prod',
      description: 'Air-gapped bank cluster',
      isolated: true,
      category: 'prod',
      owner: 'group:default/bank',
      labels: { region: 'eu' },
    });
    await register({
      name: 'edge-qa',
      serverUrl: 'https://10.0.0.9:6443',
      auth: { type: 'bearerToken', token: 'secret-token-xyz' },
      category: 'qa',
      skipVerification: true,
    });

    const byCategory = (category: string) =>
      eventually(
        async () =>
          (
            await request(server)
              .get('/api/catalog/entities')
              .query({
                filter: `kind=resource,spec.type=kubernetes-cluster,metadata.labels.cluster-registry/category=${category}`,
              })
          ).body as any[],
        items => items.length > 0,
      );

    const [prod] = await byCategory('prod');
    expect(prod).toMatchObject({
      kind: 'Resource',
      metadata: {
        name: 'bank-prod',
        title: 'Bank prod',
        description: 'Air-gapped bank cluster',
        labels: { region: 'eu', 'cluster-registry/category': 'prod' },
        tags: ['prod'],
        annotations: {
          'cluster-registry/state': 'isolated',
          'cluster-registry/connection-method': 'isolated',
        },
        links: [
          {
            url: 'http://portal.example/clusters/bank-prod',
            title: 'Cluster page',
          },
        ],
      },
      spec: {
        type: 'kubernetes-cluster',
        owner: 'group:default/bank',
        system: 'platform-clusters',
      },
    });
    const [qa] = await byCategory('qa');
    expect(qa.metadata.name).toBe('edge-qa');
    expect(qa.spec.owner).toBe('group:default/platform');
    expect(JSON.stringify(qa)).not.toContain('secret-token-xyz');

    // An edit moves it to another category; a disconnect removes it.
    await request(server)
      .patch('/api/cluster-registry/clusters/bank-prod')
      .send({ category: 'staging' })
      .expect(200);
    const [staging] = await byCategory('staging');
    expect(staging.metadata.name).toBe('bank-prod');

    await request(server)
      .delete('/api/cluster-registry/clusters/edge-qa')
      .expect(204);
    const gone = await eventually(
      async () =>
        (
          await request(server).get(
            '/api/catalog/entities/by-name/resource/default/edge-qa',
          )
        ).status,
      status => status === 404,
    );
    expect(gone).toBe(404);
  });

  it('follows a state change the health sweep finds within seconds, without waiting for a full sync', async () => {
    const { server } = await startPortal({
      // The real scheduler (the test backend's mock runs no schedules), so
      // the health sweep runs as in a portal.
      features: [schedulerServiceFactory],
      registry: {
        verificationTimeoutMs: 2000,
        // A Backstage schedule block, read by the registry.
        healthCheck: {
          schedule: {
            frequency: { seconds: 2 },
            timeout: { seconds: 30 },
            initialDelay: { seconds: 1 },
          },
        },
        // Only the change event can bring the new state this soon.
        catalog: { fullSyncMinutes: 60 },
      },
    });
    // Registered unverified (pending); nothing listens on port 1, so the
    // first health check finds it unreachable.
    await request(server)
      .post('/api/cluster-registry/clusters')
      .send({
        name: 'gone-dark',
        serverUrl: 'https://127.0.0.1:1',
        auth: { type: 'bearerToken', token: 'secret-token-abc' },
        skipVerification: true,
      })
      .expect(201);
    const state = () =>
      eventually(
        async () =>
          (
            await request(server).get(
              '/api/catalog/entities/by-name/resource/default/gone-dark',
            )
          ).body?.metadata?.annotations?.['cluster-registry/state'],
        value => value === 'unreachable',
      );
    expect(await state()).toBe('unreachable');
  });
});
