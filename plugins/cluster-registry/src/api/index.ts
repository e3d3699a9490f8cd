export * from './ClusterRegistryApi';
export * from './ClusterRegistryClient';
