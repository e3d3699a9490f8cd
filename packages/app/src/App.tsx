import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import kubernetesPlugin from '@backstage/plugin-kubernetes/alpha';
import clusterRegistryPlugin from '@cluster-registry/plugin-cluster-registry/alpha';
import { navModule } from './modules/nav';
import { signInModule } from './modules/signIn';

export default createApp({
  features: [
    catalogPlugin,
    kubernetesPlugin,
    clusterRegistryPlugin,
    navModule,
    signInModule,
  ],
});
