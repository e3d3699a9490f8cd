import { ClusterRegistryApi } from '../api';

/** A ClusterRegistryApi whose methods are all jest.fn(), with the given implementations. */
export function mockClusterRegistryApi(
  implementations: Partial<ClusterRegistryApi> = {},
): jest.Mocked<ClusterRegistryApi> {
  const api: jest.Mocked<ClusterRegistryApi> = {
    listClusters: jest.fn(),
    getCluster: jest.fn(),
    listCategories: jest.fn(async () => []),
    createCategory: jest.fn(),
    updateCategory: jest.fn(),
    deleteCategory: jest.fn(),
    refreshCluster: jest.fn(),
    acceptSshHostKey: jest.fn(),
    deleteCluster: jest.fn(),
    removeServiceAccount: jest.fn(),
    createCluster: jest.fn(),
    verifyCluster: jest.fn(),
    updateCluster: jest.fn(),
    rotateCredentials: jest.fn(),
    inspectKubeconfig: jest.fn(),
    importKubeconfig: jest.fn(),
    testPrometheus: jest.fn(),
    getClusterInsight: jest.fn(),
    listClusterEvents: jest.fn(),
    getMetricsSources: jest.fn(),
    queryClusterMetrics: jest.fn(),
    listNamedQueries: jest.fn(),
    queryEntityMetrics: jest.fn(),
    getHealthTrends: jest.fn(async (_clusters: string[]) => ({ items: [] })),
    listProvisioners: jest.fn(async () => []),
    provisionCluster: jest.fn(),
    getProvisioning: jest.fn(),
    retryProvisioning: jest.fn(),
    deprovisionCluster: jest.fn(),
  };
  for (const [key, impl] of Object.entries(implementations)) {
    (api as any)[key] = jest.fn(impl as any);
  }
  return api;
}
