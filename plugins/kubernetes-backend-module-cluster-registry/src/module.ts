import { clusterPageUrl } from '@cluster-registry/plugin-cluster-registry-common';
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  kubernetesAuthStrategyExtensionPoint,
  kubernetesClusterSupplierExtensionPoint,
  kubernetesFetcherExtensionPoint,
  kubernetesServiceLocatorExtensionPoint,
} from '@backstage/plugin-kubernetes-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import {
  CLUSTER_REGISTRY_EVENTS_TOPIC,
  ClusterRegistryChange,
  clusterConnectionsServiceRef,
  clusterRegistryServiceRef,
} from '@cluster-registry/plugin-cluster-registry-node';
import crypto from 'node:crypto';
import { authStrategies } from './auth';
import { RegistryClusterSupplier } from './RegistryClusterSupplier';
import { RegistryConnections } from './RegistryConnections';
import { RegistryFetcher } from './RegistryFetcher';
import { RegistryServiceLocator } from './RegistryServiceLocator';

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
        serviceLocator: kubernetesServiceLocatorExtensionPoint,
        fetcher: kubernetesFetcherExtensionPoint,
        registry: clusterRegistryServiceRef,
        connections: clusterConnectionsServiceRef,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
        scheduler: coreServices.scheduler,
        events: eventsServiceRef,
      },
      async init({
        clusterSupplier,
        authStrategy,
        serviceLocator,
        fetcher,
        registry,
        connections,
        config,
        logger,
        permissions,
        scheduler,
        events,
      }) {
        for (const [key, strategy] of authStrategies({ config, logger })) {
          authStrategy.addAuthStrategy(key, strategy);
        }
        const appUrl = config.getString('app.baseUrl');
        const settings = config.getOptionalConfig(
          'clusterRegistry.kubernetesSupplier',
        );
        const kept = new RegistryConnections(registry, {
          logger,
          maxWaitMs: settings?.getOptionalNumber('maxWaitMs'),
          readTimeoutMs: settings?.getOptionalNumber('readTimeoutMs'),
        });
        // Every replica keeps its own list, so every replica hears every
        // change: a subscription of its own on the events bus (one id per
        // process; the bus forgets the ids of replicas that stopped).
        await events.subscribe({
          id: `cluster-registry-connections-${crypto.randomUUID()}`,
          topics: [CLUSTER_REGISTRY_EVENTS_TOPIC],
          onEvent: async event =>
            kept.changed(event.eventPayload as ClusterRegistryChange),
        });
        // The consistency check: the list read in full, whatever the events said.
        await scheduler.scheduleTask({
          id: 'cluster-registry-connections-consistency-check',
          scope: 'local',
          frequency: {
            seconds:
              settings?.getOptionalNumber('consistencyCheckSeconds') ?? 30,
          },
          timeout: { minutes: 2 },
          fn: () => kept.reloadAll(),
        });
        const pageUrl = (name: string) => clusterPageUrl(appUrl, name);
        // An entity's tab asks only the clusters it names (annotations,
        // relations); others are located as configured.
        serviceLocator.addServiceLocator(
          async ({ getDefault, clusterSupplier: supplier }) =>
            new RegistryServiceLocator(supplier, await getDefault(), kept),
        );
        // Clusters the registry found unreachable answer with that at once.
        fetcher.addFetcher(
          async ({ getDefault }) =>
            new RegistryFetcher(await getDefault(), kept, pageUrl),
        );
        clusterSupplier.addClusterSupplier(
          async ({ getDefault }) =>
            new RegistryClusterSupplier(registry, await getDefault(), {
              clusterPageUrl: pageUrl,
              logger,
              kept,
              permissions,
              connections,
            }),
        );
      },
    });
  },
});
