import {
  AwsClusterAuth,
  Cluster,
  ClusterTls,
} from '@cluster-registry/plugin-cluster-registry-common';

/**
 * How to reach one registered (non-isolated) cluster, credentials included.
 * Only for server-side use by backend modules the registry trusts (see
 * `clusterRegistry.credentialConsumers`); never send it to a browser.
 *
 * @public
 */
export interface ClusterConnection {
  name: string;
  title: string;
  category?: string;
  owner?: string;
  serverUrl: string;
  tls: ClusterTls;
  auth:
    | { type: 'bearerToken'; token: string }
    | { type: 'clientCertificate'; certData: string; keyData: string }
    | AwsClusterAuth;
  connection:
    | { method: 'direct' }
    | { method: 'proxy'; proxyUrl: string }
    | {
        method: 'sshTunnel';
        sshTunnel: {
          host: string;
          port: number;
          username: string;
          password?: string;
          privateKey?: string;
        };
      };
  state: Cluster['status']['state'];
}

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
