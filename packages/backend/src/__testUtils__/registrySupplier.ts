import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import {
  ClusterConnection,
  ClusterConnectionsService,
  ClusterRegistryService,
} from '@cluster-registry/plugin-cluster-registry-node';
import {
  RegistryClusterSupplier,
  RegistryConnections,
} from '@cluster-registry/plugin-kubernetes-backend-module-cluster-registry';
import request from 'supertest';

/**
 * The Kubernetes module's supplier over a test backend's registry: it reads
 * connections as the module does, as the Kubernetes plugin's service
 * principal, and supplies no configured clusters. The test backend's change
 * events do not reach it, so each call first runs the module's consistency
 * check (a full read).
 */
export function registrySupplier(
  server: Parameters<typeof request>[0],
  connections?: ClusterConnectionsService,
) {
  const asKubernetes = (path: string) =>
    request(server)
      .get(`/api/cluster-registry/internal/connections${path}`)
      .set(
        'authorization',
        mockCredentials.service.header({
          onBehalfOf: mockCredentials.service('plugin:kubernetes'),
          targetPluginId: 'cluster-registry',
        }),
      )
      .expect(200);
  const registry = {
    listConnections: async () =>
      (await asKubernetes('')).body.items as ClusterConnection[],
    getConnection: async (name: string) =>
      (await asKubernetes(`/${name}`)).body as ClusterConnection,
  } as unknown as ClusterRegistryService;
  const logger = mockServices.logger.mock();
  const kept = new RegistryConnections(registry, { logger });
  const supplier = new RegistryClusterSupplier(
    registry,
    { getClusters: async () => [] },
    {
      clusterPageUrl: name => `http://portal.example/clusters/${name}`,
      logger,
      kept,
      permissions: mockServices.permissions(),
      connections,
    },
  );
  return {
    async getClusters(
      options: Parameters<RegistryClusterSupplier['getClusters']>[0],
    ) {
      await kept.reloadAll();
      return supplier.getClusters(options);
    },
  };
}
