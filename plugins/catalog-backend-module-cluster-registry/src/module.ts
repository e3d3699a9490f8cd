import {
  coreServices,
  createBackendModule,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { clusterRegistryServiceRef } from '@cluster-registry/plugin-cluster-registry-node';
import { ClusterEntityProvider } from './ClusterEntityProvider';

/**
 * Registered clusters as catalog entities (Resource, type kubernetes-cluster).
 *
 * @public
 */
export const catalogModuleClusterRegistry = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'cluster-registry',
  register(reg) {
    reg.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        registry: clusterRegistryServiceRef,
        events: eventsServiceRef,
        scheduler: coreServices.scheduler,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ catalog, registry, events, scheduler, config, logger }) {
        const settings = config.getOptionalConfig('clusterRegistry.catalog');
        const provider = new ClusterEntityProvider(
          registry,
          {
            appBaseUrl: config.getString('app.baseUrl'),
            defaultOwner:
              settings?.getOptionalString('defaultOwner') ??
              'group:default/platform',
            system: settings?.getOptionalString('system'),
          },
          logger,
          {
            events,
            scheduler,
            // A Backstage `schedule` block, or the `fullSyncMinutes` shorthand.
            schedule: settings?.has('schedule')
              ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
                  settings.getConfig('schedule'),
                )
              : {
                  frequency: {
                    minutes:
                      settings?.getOptionalNumber('fullSyncMinutes') ?? 10,
                  },
                  timeout: { minutes: 5 },
                  initialDelay: { seconds: 3 },
                },
          },
        );
        catalog.addEntityProvider(provider);
      },
    });
  },
});
