/**
 * Creates Amazon EKS clusters from the cluster registry, and deletes them.
 *
 * @packageDocumentation
 */
export { clusterRegistryModuleEks as default } from './module';
