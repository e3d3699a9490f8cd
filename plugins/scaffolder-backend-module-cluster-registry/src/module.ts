import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { clusterRegistryServiceRef } from '@cluster-registry/plugin-cluster-registry-node';
import { createAssignCategoryAction } from './actions/assignCategory';
import { createRegisterClusterAction } from './actions/register';
import { createEksClusterAction } from './actions/createEks';

/**
 * The cluster registry's scaffolder actions.
 *
 * @public
 */
export const scaffolderModuleClusterRegistry = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'cluster-registry',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        registry: clusterRegistryServiceRef,
        config: coreServices.rootConfig,
      },
      async init({ scaffolder, registry, config }) {
        scaffolder.addActions(
          createRegisterClusterAction({
            registry,
            appBaseUrl: config.getString('app.baseUrl'),
          }),
          createAssignCategoryAction({ registry }),
          createEksClusterAction({
            registry,
            appBaseUrl: config.getString('app.baseUrl'),
          }),
        );
      },
    });
  },
});
