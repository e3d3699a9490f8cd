/**
 * The shapes of the cluster registry's REST API (`/api/cluster-registry`).
 * Secrets never appear in a response: where one is stored, the response says
 * only that it is set (`tokenSet`, `keySet`, `passwordSet`, ...).
 */

/** All states, in the order lists show them. @public */
export const CLUSTER_STATES = [
  'running',
  'pending',
  'provisioning',
  'unreachable',
  'unauthorized',
  'failed',
  'deleting',
  'isolated',
] as const;

/** Health state of a registered cluster. @public */
export type ClusterState = (typeof CLUSTER_STATES)[number];

/** What the stored credentials may do in the cluster, found at verification. @public */
export type PermissionLevel = 'admin' | 'read' | 'none';

/**
 * AWS IAM authentication (EKS): no stored secret, a token is minted for the
 * cluster id, optionally as an assumed role. @public
 */
export interface AwsClusterAuth {
  type: 'aws';
  clusterId: string;
  assumeRole?: string;
  externalId?: string;
}

/** How the portal authenticates to the cluster, without secrets. @public */
export type ClusterAuthView =
  | { type: 'bearerToken'; tokenSet: boolean }
  | { type: 'clientCertificate'; certData: string; keySet: boolean }
  | AwsClusterAuth;

/** TLS settings for the connection to the API server. @public */
export interface ClusterTls {
  /** Base64-encoded PEM of the CA that signed the API server's certificate. */
  caData?: string;
  /** Skip verifying the server certificate. Discouraged; shown as a warning. */
  insecureSkipTlsVerify: boolean;
}

/** How the portal reaches the API server, without secrets. @public */
export type ClusterConnectionView =
  | { method: 'direct' }
  | { method: 'proxy'; proxyUrl: string }
  | {
      method: 'sshTunnel';
      sshTunnel: {
        host: string;
        port: number;
        username: string;
        passwordSet: boolean;
        privateKeySet: boolean;
      };
    };

/** A Prometheus endpoint for the cluster's metrics, without secrets. @public */
export interface ClusterPrometheusView {
  url: string;
  auth:
    | { type: 'anonymous' }
    | { type: 'basic'; username: string; passwordSet: boolean };
  tls?: {
    caData?: string;
    insecureSkipTlsVerify: boolean;
    clientCertData?: string;
    clientKeySet: boolean;
  };
}

/** The last health check of a cluster. @public */
export interface ClusterStatus {
  state: ClusterState;
  message?: string;
  checkedAt?: string;
  kubernetesVersion?: string;
  nodeCount?: number;
  /** Whether kubernetesVersion is inside the configured supported range. */
  versionSupported?: boolean;
  permissionLevel?: PermissionLevel;
}

/**
 * Where a cluster came from. `registered` clusters exist outside the portal:
 * removing them only disconnects. `provisioned` ones were created by the portal
 * and can also be deleted at their provider.
 * @public
 */
export type ClusterOrigin =
  | { type: 'registered' }
  | {
      type: 'provisioned';
      provider: 'aws-eks';
      region: string;
      resourceId: string;
    };

/** A registered cluster as the API returns it. @public */
export interface Cluster {
  name: string;
  title: string;
  description?: string;
  category?: string;
  labels: Record<string, string>;
  owner?: string;
  isolated: boolean;
  serverUrl?: string;
  auth?: ClusterAuthView;
  tls: ClusterTls;
  connection: ClusterConnectionView;
  prometheus?: ClusterPrometheusView;
  status: ClusterStatus;
  origin: ClusterOrigin;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  updatedBy: string;
}

/** A category clusters are organised by (prod, staging, qa, dev, ...). @public */
export interface Category {
  name: string;
  description?: string;
  /** A CSS colour (#rrggbb) for chips and badges. */
  color?: string;
}

/** A page of a list endpoint. @public */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
  totalCount: number;
}

/** What `verify` found about a cluster connection. @public */
export interface VerificationResult {
  ok: boolean;
  kubernetesVersion?: string;
  versionSupported?: boolean;
  permissionLevel?: PermissionLevel;
  /** On failure: what went wrong, in words a user can act on. */
  reason?:
    | 'tls'
    | 'unauthorized'
    | 'forbidden'
    | 'unreachable'
    | 'timeout'
    | 'invalid'
    | 'error';
  message?: string;
}

/** One context of an inspected kubeconfig. @public */
export interface KubeconfigContextInfo {
  context: string;
  cluster: string;
  user: string;
  serverUrl: string;
  authKind:
    | 'token'
    | 'clientCertificate'
    | 'exec'
    | 'authProvider'
    | 'basic'
    | 'file'
    | 'none';
  usable: boolean;
  reason?: string;
  suggestedName: string;
}

/** Result of POST /kubeconfig/inspect. @public */
export interface KubeconfigInspection {
  currentContext?: string;
  contexts: KubeconfigContextInfo[];
}

/** Per-context result of POST /kubeconfig/import. @public */
export type KubeconfigImportResult =
  | { context: string; name: string; status: 'created'; cluster: Cluster }
  | {
      context: string;
      name: string;
      status: 'failed';
      error: { name: string; message: string };
    };

/** Result of a Prometheus connection test (a real `up` query). @public */
export interface PrometheusTestResult {
  ok: boolean;
  /** Series returned by the test query (`up`). */
  seriesCount?: number;
  /** Prometheus version from /api/v1/status/buildinfo, when readable. */
  version?: string;
  message?: string;
}

/** What POST /verify answers: the verification and, when readable, the node count. @public */
export interface UnsavedVerification extends VerificationResult {
  nodeCount?: number;
  /** On failure: the request field it concerns (auth, tls, serverUrl, connection). */
  field?: string;
}
