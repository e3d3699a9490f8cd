/**
 * The cluster registry for other backend plugins and modules.
 *
 * @packageDocumentation
 */
export * from './ClusterRegistryService';
export * from './types';
export * from './connections';
export * from './network/AddressPolicy';
export * from './permissions';
export * from './provisioning';
