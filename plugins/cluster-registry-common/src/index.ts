/**
 * Types, permissions and input rules shared by the cluster registry's
 * frontend and backend, and the REST client generated from its OpenAPI
 * document.
 *
 * @packageDocumentation
 */

/** The plugin id of the cluster registry. @public */
export const CLUSTER_REGISTRY_PLUGIN_ID = 'cluster-registry';

export * from './types';
export * from './permissions';
export * from './schemas';
export * from './identity';
export { DefaultApiClient } from './schema/openapi/generated';
export type { TypedResponse } from './schema/openapi/generated';
