import {
  ClusterConnectionsService,
  TunnelHandle,
  TunnelOptions,
} from '@cluster-registry/plugin-cluster-registry-node';
import http from 'node:http';
import https from 'node:https';
import { ClusterSecrets, StoredConnection } from '../database/types';
import { toRoute } from './clusterSecrets';

/**
 * How a server behind a cluster's connection method is reached: directly
 * (no handle), through a tunnel of the connections service (a handle its
 * caller closes), or not at all, on a backend without that service (the
 * reason to give; never a direct connection instead).
 */
export type ClusterTunnel<A extends http.Agent = https.Agent> =
  | { handle?: TunnelHandle<A> }
  | { refusal: string };

/**
 * Opens the tunnel of a cluster's connection method, if it has one: an agent
 * that speaks TLS inside it (the API server, an https Prometheus), or, with
 * `scheme` 'http:', plain HTTP inside it (an http Prometheus).
 */
export function openClusterTunnel(
  connections: ClusterConnectionsService | undefined,
  target: { connection: StoredConnection; secrets: ClusterSecrets },
  options: TunnelOptions,
): ClusterTunnel;
export function openClusterTunnel(
  connections: ClusterConnectionsService | undefined,
  target: { connection: StoredConnection; secrets: ClusterSecrets },
  options: TunnelOptions,
  scheme: 'http:' | 'https:',
): ClusterTunnel<http.Agent>;
export function openClusterTunnel(
  connections: ClusterConnectionsService | undefined,
  target: { connection: StoredConnection; secrets: ClusterSecrets },
  options: TunnelOptions,
  scheme: 'http:' | 'https:' = 'https:',
): ClusterTunnel<http.Agent> {
  if (target.connection.method === 'direct') return {};
  if (!connections)
    return {
      refusal:
        'this backend has no tunnel service to reach clusters through a proxy or an SSH bastion',
    };
  const route = toRoute(target.connection, target.secrets);
  return {
    handle:
      scheme === 'http:'
        ? connections.plainAgentFor(route, options)
        : connections.agentFor(route, options),
  };
}
