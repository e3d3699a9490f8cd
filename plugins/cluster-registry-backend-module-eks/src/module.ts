import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { clusterProvisionersExtensionPoint } from '@cluster-registry/plugin-cluster-registry-node';
import { AwsClientFactory } from './aws';
import { EksProvisioner } from './EksProvisioner';
import { readEksSettings } from './settings';

/**
 * Lets the cluster registry create Amazon EKS clusters
 * (`clusterRegistry.providers.eks`); without that configuration it adds
 * nothing.
 *
 * @public
 */
export const clusterRegistryModuleEks = createBackendModule({
  pluginId: 'cluster-registry',
  moduleId: 'eks',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        provisioners: clusterProvisionersExtensionPoint,
      },
      async init({ config, logger, provisioners }) {
        const settings = readEksSettings(config);
        if (!settings) {
          logger.info(
            'EKS cluster creation is off: clusterRegistry.providers.eks is not configured',
          );
          return;
        }
        provisioners.addProvisioner(
          new EksProvisioner(
            settings,
            new AwsClientFactory(
              DefaultAwsCredentialsManager.fromConfig(config),
              settings.roleArn,
            ),
          ),
        );
      },
    });
  },
});
