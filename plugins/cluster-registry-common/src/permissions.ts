import { createPermission } from '@backstage/plugin-permission-common';

/** Read clusters and their status (never their secrets). @public */
export const clusterReadPermission = createPermission({
  name: 'cluster-registry.cluster.read',
  attributes: { action: 'read' },
});

/** Register a cluster (any method). @public */
export const clusterCreatePermission = createPermission({
  name: 'cluster-registry.cluster.create',
  attributes: { action: 'create' },
});

/** Edit a cluster, rotate its credentials, refresh or re-verify it. @public */
export const clusterUpdatePermission = createPermission({
  name: 'cluster-registry.cluster.update',
  attributes: { action: 'update' },
});

/** Disconnect (remove) a cluster from the registry. @public */
export const clusterDeletePermission = createPermission({
  name: 'cluster-registry.cluster.delete',
  attributes: { action: 'delete' },
});

/** Create, edit and delete categories. @public */
export const categoryManagePermission = createPermission({
  name: 'cluster-registry.category.manage',
  attributes: { action: 'update' },
});

/**
 * Run raw PromQL against a cluster's Prometheus (only where
 * clusterRegistry.metrics.allowRawQueries is on; audited). Named queries need
 * only clusterReadPermission. @public
 */
export const clusterMetricsRawPermission = createPermission({
  name: 'cluster-registry.cluster.metrics.raw',
  attributes: { action: 'read' },
});

/** Every permission of the cluster registry. @public */
export const clusterRegistryPermissions = [
  clusterReadPermission,
  clusterMetricsRawPermission,
  clusterCreatePermission,
  clusterUpdatePermission,
  clusterDeletePermission,
  categoryManagePermission,
];
