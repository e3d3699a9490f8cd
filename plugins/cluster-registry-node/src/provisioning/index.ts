export * from './ClusterProvisioner';
export * from './extensionPoint';
