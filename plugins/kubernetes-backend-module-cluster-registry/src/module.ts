import { clusterPageUrl } from '@cluster-registry/plugin-cluster-registry-common';
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  kubernetesAuthStrategyExtensionPoint,
  kubernetesClusterSupplierExtensionPoint,
} from '@backstage/plugin-kubernetes-node';
import {
  clusterConnectionsServiceRef,
  clusterRegistryServiceRef,
} from '@cluster-registry/plugin-cluster-registry-node';
import { authStrategies } from './auth';
import { RegistryClusterSupplier } from './RegistryClusterSupplier';

/**
 * Supplies the clusters of the cluster registry to the Kubernetes plugin,
 * together with those of `kubernetes.clusterLocatorMethods`.
 *
 * @public
 */
export const kubernetesModuleClusterRegistry = createBackendModule({
  pluginId: 'kubernetes',
  moduleId: 'cluster-registry',
  register(reg) {
    reg.registerInit({
      deps: {
        clusterSupplier: kubernetesClusterSupplierExtensionPoint,
        authStrategy: kubernetesAuthStrategyExtensionPoint,
        registry: clusterRegistryServiceRef,
        connections: clusterConnectionsServiceRef,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({
        clusterSupplier,
        authStrategy,
        registry,
        connections,
        config,
        logger,
      }) {
        for (const [key, strategy] of authStrategies({ config, logger })) {
          authStrategy.addAuthStrategy(key, strategy);
        }
        const appUrl = config.getString('app.baseUrl');
        clusterSupplier.addClusterSupplier(
          async ({ getDefault }) =>
            new RegistryClusterSupplier(registry, await getDefault(), {
              clusterPageUrl: name => clusterPageUrl(appUrl, name),
              logger,
              connections,
            }),
        );
      },
    });
  },
});
