import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import {
  ClusterConnection,
  ClusterConnectionsService,
} from '@cluster-registry/plugin-cluster-registry-node';
import { RegistryClusterSupplier } from '@cluster-registry/plugin-kubernetes-backend-module-cluster-registry';
import request from 'supertest';

/**
 * The Kubernetes module's supplier over a test backend's registry: it reads
 * connections as the module does, as the Kubernetes plugin's service
 * principal, and supplies no configured clusters.
 */
export function registrySupplier(
  server: Parameters<typeof request>[0],
  connections?: ClusterConnectionsService,
) {
  return new RegistryClusterSupplier(
    {
      listConnections: async () =>
        (
          await request(server)
            .get('/api/cluster-registry/internal/connections')
            .set(
              'authorization',
              mockCredentials.service.header({
                onBehalfOf: mockCredentials.service('plugin:kubernetes'),
                targetPluginId: 'cluster-registry',
              }),
            )
            .expect(200)
        ).body.items as ClusterConnection[],
    } as any,
    { getClusters: async () => [] },
    {
      clusterPageUrl: name => `http://portal.example/clusters/${name}`,
      logger: mockServices.logger.mock(),
      connections,
    },
  );
}
