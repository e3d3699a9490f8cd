import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { ClusterProvisionersExtensionPoint } from './ClusterProvisioner';

/**
 * Adds the providers clusters can be created at (EKS, ...) to the cluster
 * registry backend. @public
 */
export const clusterProvisionersExtensionPoint =
  createExtensionPoint<ClusterProvisionersExtensionPoint>({
    id: 'cluster-registry.provisioners',
  });
