import type { ClusterConnection as ClusterConnectionModel } from '@cluster-registry/plugin-cluster-registry-common';

/**
 * How to reach one registered (non-isolated) cluster, credentials included
 * (the `ClusterConnection` of the OpenAPI document). Only for server-side use
 * by backend modules the registry trusts (see
 * `clusterRegistry.credentialConsumers`); never send it to a browser.
 *
 * @public
 */
export type ClusterConnection = ClusterConnectionModel;

/**
 * The events topic on which the registry announces changes. `cluster` is set
 * when one cluster changed; without it (e.g. a category deleted with its
 * clusters reassigned) consumers should reread everything.
 *
 * @public
 */
export const CLUSTER_REGISTRY_EVENTS_TOPIC = 'cluster-registry.changes';

/** @public */
export interface ClusterRegistryChange {
  /** What happened: cluster-register, cluster-update, cluster-disconnect, ... */
  eventId: string;
  cluster?: string;
}
