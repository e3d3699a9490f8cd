import type { Knex } from 'knex';
import {
  Category,
  Cluster,
  ClusterState,
  ClusterStatus,
  ClusterTls,
  HealthSample,
  ParsedClusterAuth,
  ParsedClusterConnection,
  ParsedClusterPrometheus,
} from '@cluster-registry/plugin-cluster-registry-common';
import type { PermissionCriteria } from '@backstage/plugin-permission-common';
import type { ClusterPermissionQuery } from '@cluster-registry/plugin-cluster-registry-node';
import type { StoredServiceAccount } from '../kubernetes/serviceAccounts';

export type { HealthSample };

/** Every secret of a cluster; stored only encrypted, never returned by the API. */
export interface ClusterSecrets {
  token?: string;
  clientKeyData?: string;
  sshPassword?: string;
  sshPrivateKey?: string;
  sshPassphrase?: string;
  proxyPassword?: string;
  prometheusPassword?: string;
  prometheusClientKeyData?: string;
}

/** Omit that keeps a union a union (each member loses the keys). */
type OmitEach<T, K extends PropertyKey> = T extends unknown
  ? Omit<T, K>
  : never;

/**
 * The stored forms of the sections that carry secrets: the parsed request
 * types of the contract without their secret fields, which live sealed in
 * `ClusterSecrets` (see `service/clusterSecrets.ts`). Derived, so that a new
 * auth type or connection method reaches every mapper through the compiler.
 */
export type StoredAuth = OmitEach<ParsedClusterAuth, 'token' | 'keyData'> & {
  /**
   * When the token or client certificate expires (a JWT's exp, the
   * certificate's notAfter), read when it is set; see
   * service/credentialExpiry.ts.
   */
  expiresAt?: string;
  /**
   * The ServiceAccount the registry created for this cluster from an
   * admin's credential (a bearer token of that account is what is stored).
   */
  serviceAccount?: StoredServiceAccount;
};

type StoredSshTunnel = Omit<
  Extract<ParsedClusterConnection, { method: 'sshTunnel' }>['sshTunnel'],
  'password' | 'privateKey' | 'passphrase'
>;

export type StoredConnection =
  | Extract<ParsedClusterConnection, { method: 'direct' }>
  | Omit<Extract<ParsedClusterConnection, { method: 'proxy' }>, 'password'>
  | { method: 'sshTunnel'; sshTunnel: StoredSshTunnel };

export interface StoredPrometheus
  extends Omit<ParsedClusterPrometheus, 'auth' | 'tls'> {
  auth: OmitEach<ParsedClusterPrometheus['auth'], 'password'>;
  tls?: Omit<NonNullable<ParsedClusterPrometheus['tls']>, 'clientKeyData'>;
}

/** The health status as stored; `versionSupported` is computed when shown. */
export type StoredStatus = Omit<ClusterStatus, 'versionSupported'>;

/**
 * A cluster as the backend holds it: the API's `Cluster` with the stored forms
 * of auth, connection, Prometheus and status, and the names (never the
 * values) of its secrets.
 */
export interface ClusterRecord
  extends Omit<Cluster, 'auth' | 'connection' | 'prometheus' | 'status'> {
  auth?: StoredAuth;
  connection: StoredConnection;
  prometheus?: StoredPrometheus;
  /** Names of the stored secrets. */
  secretKeys: Array<keyof ClusterSecrets>;
  status: StoredStatus;
}

/**
 * A record with its secrets, read explicitly (`getClusterWithSecrets`,
 * `listAllClustersWithSecrets`) by the code that dials the cluster.
 */
export interface ClusterRecordWithSecrets extends ClusterRecord {
  readonly secrets: ClusterSecrets;
}

/** A record about to be stored: its secrets in clear, sealed by the store. */
export interface NewClusterRecord
  extends Omit<ClusterRecord, 'secretKeys' | 'createdAt' | 'updatedAt'> {
  secrets: ClusterSecrets;
  createdAt?: string;
  updatedAt?: string;
}

export interface ClusterFilter {
  categories?: string[];
  states?: ClusterState[];
  q?: string;
  /** A policy's conditions: only the clusters the caller may see. */
  permitted?: PermissionCriteria<ClusterPermissionQuery>;
}

export interface ListClustersOptions extends ClusterFilter {
  limit: number;
  cursor?: string;
}

/** Fields a PATCH may change; `null` clears an optional field. */
export interface ClusterChanges {
  title?: string;
  description?: string | null;
  category?: string | null;
  labels?: Record<string, string>;
  owner?: string | null;
  serverUrl?: string;
  auth?: StoredAuth;
  tls?: ClusterTls;
  connection?: StoredConnection;
  prometheus?: StoredPrometheus | null;
  /** Replaces the listed secrets; keys given as undefined are removed. */
  secrets?: Partial<ClusterSecrets>;
  status?: StoredStatus;
  updatedBy: string;
}

/**
 * States of a cluster the portal is creating or deleting at a provider (or
 * failed to create): not probed, not offered to the Kubernetes plugin.
 */
export const LIFECYCLE_STATES: string[] = [
  'provisioning',
  'failed',
  'deleting',
];
export type LifecycleState = 'provisioning' | 'failed' | 'deleting';

export interface ClusterStore {
  /** Creates a record; `within` writes more in the same transaction (a provisioning request). */
  createCluster(
    record: NewClusterRecord,
    within?: (tx: Knex) => Promise<void>,
  ): Promise<ClusterRecord>;
  /** Sets a lifecycle state and message (not a health check); the state before, undefined if there is no such cluster. */
  setLifecycleState(
    name: string,
    state: LifecycleState,
    message: string,
  ): Promise<string | undefined>;
  /** A cluster without its secrets (their names are in `secretKeys`). */
  getCluster(name: string): Promise<ClusterRecord>;
  /** A cluster with its secrets decrypted, for dialling it. */
  getClusterWithSecrets(name: string): Promise<ClusterRecordWithSecrets>;
  listClusters(options: ListClustersOptions): Promise<{
    items: ClusterRecord[];
    nextCursor?: string;
    totalCount: number;
  }>;
  /** Every non-isolated cluster with its secrets, for health checks and suppliers. */
  listAllClustersWithSecrets(options?: {
    /** Told about each row whose secrets cannot be decrypted; it is left out. */
    onUnreadable?: (name: string, error: Error) => void;
    /** Only the clusters a user may see (a supplier asking on their behalf). */
    permitted?: PermissionCriteria<ClusterPermissionQuery>;
    /** Only these clusters (one connection of the list). */
    names?: string[];
  }): Promise<ClusterRecordWithSecrets[]>;
  /** The named clusters, without secrets, in the order asked; undefined for those that do not exist. */
  getClusters(names: string[]): Promise<Array<ClusterRecord | undefined>>;
  updateCluster(name: string, changes: ClusterChanges): Promise<ClusterRecord>;
  /** Records a health check, which also joins the cluster's trend (state, time, latency). */
  updateStatus(
    name: string,
    status: StoredStatus,
    latencyMs?: number,
  ): Promise<void>;
  /** {@link ClusterStore.updateStatus} for many clusters, in one transaction. */
  updateStatuses(
    checks: Array<{ name: string; status: StoredStatus; latencyMs?: number }>,
  ): Promise<void>;
  /** The trends of the named clusters that exist, oldest sample first. */
  listHealthSamples(
    names: string[],
    permitted?: PermissionCriteria<ClusterPermissionQuery>,
  ): Promise<Array<{ cluster: string; samples: HealthSample[] }>>;
  deleteCluster(name: string): Promise<void>;
  /** The credential-expiry notice last sent per cluster (see ExpiryNotifier). */
  listExpiryNotices(): Promise<Map<string, string>>;
  /**
   * Sets the notice if the stored one is still `expected` (undefined: none);
   * false if another sweep changed it first.
   */
  claimExpiryNotice(
    name: string,
    notice: string | undefined,
    expected: string | undefined,
  ): Promise<boolean>;

  listCategories(): Promise<Category[]>;
  createCategory(category: Category): Promise<Category>;
  updateCategory(
    name: string,
    changes: Omit<Category, 'name'>,
  ): Promise<Category>;
  /**
   * Deletes a category. Clusters using it block the deletion unless
   * `reassignTo` names another category (or null, to clear theirs).
   */
  deleteCategory(
    name: string,
    options?: { reassignTo?: string | null },
  ): Promise<void>;
}
