import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ClusterDetails } from '@backstage/plugin-kubernetes-node';
import {
  ClusterConnection,
  ClusterRegistryService,
} from '@cluster-registry/plugin-cluster-registry-node';
import { REGISTRY_CLUSTER_KEY } from './auth';
import { RegistryConnections } from './RegistryConnections';
import { RegistryFetcher } from './RegistryFetcher';
import { RegistryServiceLocator } from './RegistryServiceLocator';

const registeredClusters = [
  { name: 'pay-eu', category: 'prod', labels: { team: 'payments' } },
  {
    name: 'pay-us',
    category: 'prod',
    labels: { team: 'payments', tier: 'web' },
  },
  { name: 'qa-1', category: 'qa', labels: {} },
  { name: 'down', category: 'qa', labels: {}, state: 'unreachable' },
].map(c => ({ state: 'running', ...c } as unknown as ClusterConnection));

function setup() {
  const registry = {
    listConnections: async () => registeredClusters,
  } as unknown as ClusterRegistryService;
  const kept = new RegistryConnections(registry, {
    logger: mockServices.logger.mock(),
  });
  const details = (name: string, registered = true): ClusterDetails => ({
    name,
    url: 'https://127.0.0.1:6443',
    authMetadata: registered ? { [REGISTRY_CLUSTER_KEY]: name } : {},
  });
  // What the supplier gives the asking user: not qa-1 (the policy leaves
  // it out), and a configured cluster.
  const supplied = [
    ...registeredClusters
      .filter(c => c.name !== 'qa-1')
      .map(c => details(c.name)),
    details('from-config', false),
  ];
  const fallback = {
    getClustersByEntity: jest.fn(async () => ({ clusters: supplied })),
  };
  const locator = new RegistryServiceLocator(
    { getClusters: async () => supplied },
    fallback,
    kept,
  );
  return { kept, locator, fallback, details };
}

const entity = (
  annotations: Record<string, string>,
  relations: Entity['relations'] = [],
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'shop', annotations },
  relations,
});

const context = {
  objectTypesToFetch: new Set<any>(),
  customResources: [],
  credentials: mockCredentials.user(),
};

describe('RegistryServiceLocator', () => {
  const located = async (
    locator: RegistryServiceLocator,
    e: Entity,
  ): Promise<string[]> =>
    (await locator.getClustersByEntity(e, context)).clusters.map(c => c.name);

  it('locates the clusters an entity names, by name, category, labels or dependsOn relation (their union)', async () => {
    const { locator, fallback } = setup();
    expect(
      await located(
        locator,
        entity({ 'cluster-registry.io/clusters': 'pay-eu, qa-1, from-config' }),
      ),
    ).toEqual(['pay-eu', 'from-config']);
    expect(
      await located(
        locator,
        entity({ 'cluster-registry.io/categories': 'prod' }),
      ),
    ).toEqual(['pay-eu', 'pay-us']);
    expect(
      await located(
        locator,
        entity({
          'cluster-registry.io/cluster-selector': 'team=payments,tier=web',
        }),
      ),
    ).toEqual(['pay-us']);
    expect(
      await located(
        locator,
        entity({ 'cluster-registry.io/categories': 'qa' }, [
          { type: 'dependsOn', targetRef: 'resource:default/pay-eu' },
        ]),
      ),
    ).toEqual(['pay-eu', 'down']);
    expect(fallback.getClustersByEntity).not.toHaveBeenCalled();
  });

  it('leaves an entity that names no cluster to the configured locator, relations to other resources included', async () => {
    const { locator, fallback } = setup();
    expect(await located(locator, entity({}))).toHaveLength(4);
    expect(
      await located(
        locator,
        entity({}, [
          { type: 'dependsOn', targetRef: 'resource:default/orders-db' },
        ]),
      ),
    ).toHaveLength(4);
    expect(fallback.getClustersByEntity).toHaveBeenCalledTimes(2);
  });
});

describe('RegistryFetcher', () => {
  it('answers for a cluster the registry found unreachable at once, and asks the others', async () => {
    const { kept, details } = setup();
    const inner = {
      fetchObjectsForService: jest.fn(async () => ({
        errors: [],
        responses: [],
      })),
      fetchPodMetricsByNamespaces: jest.fn(async () => ({
        errors: [],
        responses: [],
      })),
    };
    const fetcher = new RegistryFetcher(
      inner,
      kept,
      n => `http://portal/clusters/${n}`,
    );
    const params = (name: string, registered = true) =>
      ({ clusterDetails: details(name, registered) } as any);
    const down = await fetcher.fetchObjectsForService(params('down'));
    expect(down.errors).toEqual([
      {
        errorType: 'FETCH_ERROR',
        message: expect.stringContaining('http://portal/clusters/down'),
      },
    ]);
    expect(
      (
        await fetcher.fetchPodMetricsByNamespaces(
          details('down'),
          {} as any,
          new Set(),
        )
      ).errors,
    ).toHaveLength(1);
    await fetcher.fetchObjectsForService(params('qa-1'));
    await fetcher.fetchObjectsForService(params('from-config', false));
    expect(inner.fetchObjectsForService).toHaveBeenCalledTimes(2);
    expect(inner.fetchPodMetricsByNamespaces).not.toHaveBeenCalled();
  });
});
