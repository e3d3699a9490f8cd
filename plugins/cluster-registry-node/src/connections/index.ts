export * from './ClusterConnectionsService';
export { TunnelError } from './TunnelError';
export { fingerprintOf, fingerprintOfPin } from './hostKeys';
