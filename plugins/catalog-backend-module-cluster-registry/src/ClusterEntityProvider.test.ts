import { mockServices } from '@backstage/backend-test-utils';
import { ResponseError } from '@backstage/errors';
import { Cluster } from '@cluster-registry/plugin-cluster-registry-common';
import { ClusterRegistryService } from '@cluster-registry/plugin-cluster-registry-node';
import { ClusterEntityProvider } from './ClusterEntityProvider';

const cluster = (name: string, category?: string): Cluster => ({
  name,
  title: name,
  category,
  labels: { 'backstage.io/system': 'payments' },
  isolated: true,
  tls: { insecureSkipTlsVerify: false },
  connection: { method: 'direct' },
  status: { state: 'isolated' },
  origin: { type: 'registered' },
  createdAt: '2026-11-22T00:00:00Z',
  updatedAt: '2026-11-22T00:00:00Z',
  createdBy: 'user:default/guest',
  updatedBy: 'user:default/guest',
});

describe('ClusterEntityProvider', () => {
  const clusters = [cluster('a', 'prod'), cluster('b')];
  const registry = {
    listClusters: jest.fn(async () => clusters),
    getCluster: jest.fn(async (name: string) => {
      const found = clusters.find(c => c.name === name);
      if (found) return found;
      throw await ResponseError.fromResponse(
        new Response(
          JSON.stringify({ error: { name: 'NotFoundError', message: 'gone' } }),
          {
            status: 404,
            headers: { 'content-type': 'application/json' },
          },
        ),
      );
    }),
  } as unknown as ClusterRegistryService;
  const connection = { applyMutation: jest.fn(), refresh: jest.fn() };
  const provider = new ClusterEntityProvider(
    registry,
    { appBaseUrl: 'http://portal', defaultOwner: 'group:default/platform' },
    mockServices.logger.mock(),
  );

  beforeAll(() => provider.connect(connection));
  beforeEach(() => connection.applyMutation.mockClear());

  it('reconciles fully with one entity per cluster', async () => {
    await provider.fullSync();
    const [mutation] = connection.applyMutation.mock.calls[0];
    expect(mutation.type).toBe('full');
    expect(mutation.entities.map((e: any) => e.entity.metadata.name)).toEqual([
      'a',
      'b',
    ]);
    const a = mutation.entities[0].entity;
    expect(a.metadata.tags).toEqual(['prod']);
    expect(a.metadata.labels).toEqual({ 'cluster-registry/category': 'prod' });
    expect(a.spec).toEqual({
      type: 'kubernetes-cluster',
      owner: 'group:default/platform',
      system: 'payments',
    });
  });

  it('upserts a changed cluster and removes a disconnected one', async () => {
    await provider.applyChange({ eventId: 'cluster-update', cluster: 'a' });
    await provider.applyChange({
      eventId: 'cluster-disconnect',
      cluster: 'gone',
    });
    const [[upsert], [removal]] = connection.applyMutation.mock.calls;
    expect(upsert).toMatchObject({ type: 'delta', removed: [] });
    expect(upsert.added[0].entity.metadata.name).toBe('a');
    expect(removal).toEqual({
      type: 'delta',
      added: [],
      removed: [
        {
          entityRef: 'resource:default/gone',
          locationKey: 'cluster-registry:clusters',
        },
      ],
    });
  });
});
