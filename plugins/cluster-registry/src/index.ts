/**
 * The cluster registry frontend (legacy frontend system). The new frontend
 * system's plugin is exported from `@cluster-registry/plugin-cluster-registry/alpha`.
 *
 * @packageDocumentation
 */
export {
  clusterRegistryPlugin,
  ClusterRegistryPage,
  EntityClusterMetricsCard,
} from './plugin';
export * from './api';
