import {
  coreServices,
  createBackendPlugin,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import {
  clusterRegistryPermissions,
  clusterResourcePermissions,
  DEFAULT_EXPIRY_WARNING_DAYS,
} from '@cluster-registry/plugin-cluster-registry-common';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  CLUSTER_REGISTRY_EVENTS_TOPIC,
  clusterPermissionResourceRef,
  clusterPermissionRules,
  ClusterRegistryChange,
} from '@cluster-registry/plugin-cluster-registry-node';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { registerClusterActions } from './actions/clusterActions';
import { DatabaseClusterStore } from './database/DatabaseClusterStore';
import { awsTokenSourceFromConfig } from './kubernetes/awsToken';
import { ExpiryNotifier } from './health/ExpiryNotifier';
import { HealthChecker } from './health/HealthChecker';
import {
  AddressPolicy,
  ClusterProvisioner,
  clusterConnectionsServiceRef,
  clusterProvisionersExtensionPoint,
} from '@cluster-registry/plugin-cluster-registry-node';
import { ProvisioningStore } from './provisioning/ProvisioningStore';
import { ProvisioningMachine } from './provisioning/ProvisioningMachine';
import { SecretBox } from './secrets/SecretBox';
import { ClusterService } from './service/ClusterService';
import { createRouter } from './service/router';
import { ClusterInsightService } from './insight/ClusterInsightService';
import { readVersionWindows } from './insight/versionSupport';
import { EntityMetrics } from './metrics/EntityMetrics';
import { MetricsService } from './metrics/MetricsService';
import { readMetricsSettings } from './metrics/settings';

const PROVISIONING_TASK = 'cluster-registry-provisioning';

/**
 * The cluster registry backend plugin (`/api/cluster-registry`).
 *
 * @public
 */
export const clusterRegistryPlugin = createBackendPlugin({
  pluginId: 'cluster-registry',
  register(env) {
    // Providers clusters can be created at, added by backend modules.
    const provisioners = new Map<string, ClusterProvisioner<any>>();
    env.registerExtensionPoint(clusterProvisionersExtensionPoint, {
      addProvisioner(provisioner) {
        if (provisioners.has(provisioner.id))
          throw new Error(
            `a cluster provisioner '${provisioner.id}' is already installed`,
          );
        provisioners.set(provisioner.id, provisioner);
      },
    });
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        scheduler: coreServices.scheduler,
        events: eventsServiceRef,
        actionsRegistry: actionsRegistryServiceRef,
        connections: clusterConnectionsServiceRef,
        catalog: catalogServiceRef,
        notifications: notificationService,
      },
      async init({
        config,
        logger,
        database,
        httpRouter,
        httpAuth,
        permissions,
        permissionsRegistry,
        auditor,
        scheduler,
        events,
        actionsRegistry,
        connections,
        catalog,
        notifications,
      }) {
        const settings = config.getOptionalConfig('clusterRegistry');
        const supportedVersions = {
          min: settings?.getOptionalString('supportedVersions.min') ?? '1.28',
          max: settings?.getOptionalString('supportedVersions.max'),
        };
        const store = await DatabaseClusterStore.create({
          database,
          secrets: SecretBox.fromConfig(config, logger),
        });
        const provisioningStore = new ProvisioningStore(
          await database.getClient(),
        );
        // The change is committed by then: a failed announcement must not
        // turn it into an error for the caller. Consumers also resync on a
        // schedule (the catalog module's full sync).
        const announce = async (change: ClusterRegistryChange) => {
          try {
            await events.publish({
              topic: CLUSTER_REGISTRY_EVENTS_TOPIC,
              eventPayload: change,
            });
          } catch (error) {
            logger.warn(
              `could not announce ${change.eventId} of ${
                change.cluster ?? 'clusters'
              }: ${error}`,
            );
          }
        };
        // Clusters are a permission resource type: a policy may answer read,
        // update and delete with conditions on category, owner and labels.
        permissionsRegistry.addResourceType({
          resourceRef: clusterPermissionResourceRef,
          permissions: clusterResourcePermissions,
          rules: Object.values(clusterPermissionRules),
          // For the permission backend's apply-conditions call (a frontend
          // asking about one cluster): what the rules see, never secrets.
          getResources: names => store.getClusters(names),
        });
        const service = new ClusterService(store, {
          verify: {
            timeoutMs:
              settings?.getOptionalNumber('verificationTimeoutMs') ?? 8_000,
            supportedVersions,
            awsTokens: awsTokenSourceFromConfig(config),
            addressPolicy: AddressPolicy.fromConfig(config),
          },
          auditor,
          announce,
          permissions,
          permissionRules: permissionsRegistry.getPermissionRuleset(
            clusterPermissionResourceRef,
          ),
          serviceAccounts: {
            namespace:
              settings?.getOptionalString('serviceAccounts.namespace') ??
              'backstage-cluster-registry',
            clusterRole:
              settings?.getOptionalString('serviceAccounts.clusterRole') ??
              'view',
            tokenLifetimeSeconds:
              settings?.getOptionalNumber(
                'serviceAccounts.tokenLifetimeSeconds',
              ) ?? 7 * 24 * 3600,
            renewBeforeSeconds: settings?.getOptionalNumber(
              'serviceAccounts.renewBeforeSeconds',
            ),
          },
          credentialConsumers: settings?.getOptionalStringArray(
            'credentialConsumers',
          ) ?? ['kubernetes'],
          connections,
          provisioning: {
            store: provisioningStore,
            provisioners,
            trigger: () =>
              scheduler
                .triggerTask(PROVISIONING_TASK)
                // Running already: that run or the next one takes it.
                .catch(() => undefined),
          },
        });
        const machine = new ProvisioningMachine({
          store: provisioningStore,
          provisioners,
          hooks: service.provisioningHooks(),
          logger: logger.child({ task: PROVISIONING_TASK }),
          leaseMs:
            (settings?.getOptionalNumber('provisioning.leaseSeconds') ?? 60) *
            1000,
        });
        await scheduler.scheduleTask({
          id: PROVISIONING_TASK,
          frequency: {
            seconds:
              settings?.getOptionalNumber('provisioning.intervalSeconds') ?? 10,
          },
          timeout: { minutes: 10 },
          initialDelay: { seconds: 1 },
          // One backend at a time; each request is also leased.
          scope: 'global',
          fn: async () => {
            await machine.runDue();
          },
        });
        const health = new HealthChecker({
          service,
          logger,
          concurrency:
            settings?.getOptionalNumber('healthCheck.concurrency') ?? 16,
          notifier: new ExpiryNotifier({
            store,
            notifications,
            logger,
            settings: {
              warningDays:
                settings?.getOptionalNumber('credentialExpiry.warningDays') ??
                DEFAULT_EXPIRY_WARNING_DAYS,
              fallbackRecipients:
                settings?.getOptionalStringArray('credentialExpiry.notify') ??
                [],
            },
          }),
        });

        permissionsRegistry.addPermissions(
          clusterRegistryPermissions.filter(
            p => !clusterResourcePermissions.includes(p as any),
          ),
        );
        // A Backstage `schedule` block, or the `intervalSeconds` shorthand.
        const schedule = settings?.has('healthCheck.schedule')
          ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
              settings.getConfig('healthCheck.schedule'),
            )
          : {
              frequency: {
                seconds:
                  settings?.getOptionalNumber('healthCheck.intervalSeconds') ??
                  60,
              },
              timeout: { minutes: 10 },
              initialDelay: { seconds: 5 },
            };
        await scheduler.scheduleTask({
          id: 'cluster-registry-health-check',
          ...schedule,
          scope: 'global',
          fn: async () => {
            await health.checkAll();
          },
        });
        registerClusterActions({
          actionsRegistry,
          service,
          supportedVersions,
          appBaseUrl: config.getOptionalString('app.baseUrl'),
        });
        const metrics = new MetricsService(
          service,
          readMetricsSettings(config),
          auditor,
        );
        httpRouter.use(
          await createRouter({
            httpAuth,
            service,
            supportedVersions,
            metrics,
            insight: new ClusterInsightService(
              service,
              metrics,
              readVersionWindows(config),
            ),
            entityMetrics: new EntityMetrics(service, metrics, catalog),
          }),
        );
      },
    });
  },
});
