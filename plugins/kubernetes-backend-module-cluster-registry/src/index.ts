/**
 * Kubernetes backend module: the cluster registry's clusters in the Kubernetes plugin.
 *
 * @packageDocumentation
 */
export { kubernetesModuleClusterRegistry as default } from './module';
export { ServiceAccountOrClientCertificateStrategy } from './auth';
export { RegistryClusterSupplier } from './RegistryClusterSupplier';
export { RegistryConnections } from './RegistryConnections';
export type { RegistryConnectionsOptions } from './RegistryConnections';
export {
  RegistryServiceLocator,
  CLUSTERS_ANNOTATION,
  CATEGORIES_ANNOTATION,
  CLUSTER_SELECTOR_ANNOTATION,
} from './RegistryServiceLocator';
export { RegistryFetcher } from './RegistryFetcher';
