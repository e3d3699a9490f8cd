/**
 * Types, permissions and input rules shared by the cluster registry's
 * frontend and backend.
 *
 * @packageDocumentation
 */

/** The plugin id of the cluster registry. @public */
export const CLUSTER_REGISTRY_PLUGIN_ID = 'cluster-registry';

export * from './types';
export * from './permissions';
export * from './schemas';
export * from './identity';
