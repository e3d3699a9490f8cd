import {
  ClusterConnectionsService,
  TunnelHandle,
  TunnelOptions,
} from '@cluster-registry/plugin-cluster-registry-node';
import { ClusterSecrets, StoredConnection } from '../database/types';
import { toRoute } from './clusterSecrets';

/**
 * How a cluster's API server is reached: directly (no handle), through a
 * tunnel of the connections service (a handle its caller closes), or not at
 * all, on a backend without that service (the reason to give).
 */
export type ClusterTunnel = { handle?: TunnelHandle } | { refusal: string };

/** Opens the tunnel of a cluster's connection method, if it has one. */
export function openClusterTunnel(
  connections: ClusterConnectionsService | undefined,
  target: { connection: StoredConnection; secrets: ClusterSecrets },
  options: TunnelOptions,
): ClusterTunnel {
  if (target.connection.method === 'direct') return {};
  if (!connections)
    return {
      refusal:
        'this backend has no tunnel service to reach clusters through a proxy or an SSH bastion',
    };
  return {
    handle: connections.agentFor(
      toRoute(target.connection, target.secrets),
      options,
    ),
  };
}
