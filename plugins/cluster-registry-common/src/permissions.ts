import { createPermission } from '@backstage/plugin-permission-common';

/**
 * The permission resource type of a registered cluster: policies may answer
 * the permissions below with conditions on the cluster (its category, owner,
 * labels; rules in -node), and a resourceRef is the cluster's name. @public
 */
export const CLUSTER_RESOURCE_TYPE = 'cluster-registry-cluster';

/**
 * Read a cluster and its status (never its secrets). Conditional decisions
 * filter every list, in the database. @public
 */
export const clusterReadPermission = createPermission({
  name: 'cluster-registry.cluster.read',
  attributes: { action: 'read' },
  resourceType: CLUSTER_RESOURCE_TYPE,
});

/**
 * Register a cluster (any method). A basic permission, since the cluster does
 * not exist yet; the new cluster must also pass the caller's conditions for
 * clusterUpdatePermission, so nobody registers a cluster they could not then
 * manage (a member of qa registers only into qa). @public
 */
export const clusterCreatePermission = createPermission({
  name: 'cluster-registry.cluster.create',
  attributes: { action: 'create' },
});

/**
 * Edit a cluster, rotate its credentials, refresh or re-verify it. An edit
 * must leave the cluster within the caller's conditions (no moving a qa
 * cluster into prod). @public
 */
export const clusterUpdatePermission = createPermission({
  name: 'cluster-registry.cluster.update',
  attributes: { action: 'update' },
  resourceType: CLUSTER_RESOURCE_TYPE,
});

/**
 * Change where and how the registry sends a cluster's stored credential:
 * its TLS trust (CA, skipping verification) and its connection method
 * (proxy, SSH bastion). Asked, besides clusterUpdatePermission, of an edit
 * that changes them; whoever may edit a cluster but not this one can still
 * rotate its credentials, giving one of their own. @public
 */
export const clusterConnectionUpdatePermission = createPermission({
  name: 'cluster-registry.cluster.connection.update',
  attributes: { action: 'update' },
  resourceType: CLUSTER_RESOURCE_TYPE,
});

/** Disconnect (remove) a cluster from the registry. @public */
export const clusterDeletePermission = createPermission({
  name: 'cluster-registry.cluster.delete',
  attributes: { action: 'delete' },
  resourceType: CLUSTER_RESOURCE_TYPE,
});

/**
 * Create a cluster at a provider (EKS) with the portal's own cloud
 * credentials. A basic permission, like clusterCreatePermission; the new
 * cluster must also pass the caller's conditions for clusterUpdatePermission.
 * @public
 */
export const clusterProvisionPermission = createPermission({
  name: 'cluster-registry.cluster.provision',
  attributes: { action: 'create' },
});

/**
 * Delete a portal-created cluster at its provider (not just disconnect it):
 * everything the portal created for it goes. @public
 */
export const clusterDeprovisionPermission = createPermission({
  name: 'cluster-registry.cluster.deprovision',
  attributes: { action: 'delete' },
  resourceType: CLUSTER_RESOURCE_TYPE,
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

/** The permissions a policy may answer with conditions on a cluster. @public */
export const clusterResourcePermissions = [
  clusterReadPermission,
  clusterUpdatePermission,
  clusterConnectionUpdatePermission,
  clusterDeletePermission,
  clusterDeprovisionPermission,
];

/** Every permission of the cluster registry. @public */
export const clusterRegistryPermissions = [
  clusterReadPermission,
  clusterMetricsRawPermission,
  clusterCreatePermission,
  clusterUpdatePermission,
  clusterConnectionUpdatePermission,
  clusterDeletePermission,
  clusterProvisionPermission,
  clusterDeprovisionPermission,
  categoryManagePermission,
];
