import { createApiRef } from '@backstage/core-plugin-api';
import {
  Category,
  CategoryChanges,
  Cluster,
  ClusterEventList,
  ClusterInsight,
  ClusterPage,
  ClusterState,
  CreateClusterRequest,
  RemoveServiceAccountRequest,
  ServiceAccountRemoval,
  EntityMetricsRequest,
  EntityMetricsResponse,
  HealthTrends,
  ImportKubeconfigRequest,
  KubeconfigImportResult,
  KubeconfigInspection,
  MetricsQueryRequest,
  MetricsQueryResponse,
  MetricsSources,
  NamedQueryList,
  PrometheusSettings,
  PrometheusTestResult,
  RotateCredentialsRequest,
  UnsavedVerification,
  UpdateClusterRequest,
  ProvisionClusterRequest,
  ProvisionerInfo,
  ProvisioningAccepted,
  ProvisioningRequest,
} from '@cluster-registry/plugin-cluster-registry-common';

/** Filters and paging of the cluster list. @public */
export interface ListClustersQuery {
  categories?: string[];
  states?: ClusterState[];
  q?: string;
  limit?: number;
  cursor?: string;
}

/** Which events of a cluster to list. @public */
export interface ListClusterEventsQuery {
  /** `Warning` (the default of the page) or `all`. */
  type?: 'Warning' | 'all';
  /** At most this many, 1 to 500. */
  limit?: number;
}

/** The cluster registry's REST API, as the frontend uses it. @public */
export interface ClusterRegistryApi {
  listClusters(query?: ListClustersQuery): Promise<ClusterPage>;
  getCluster(name: string): Promise<Cluster>;
  listCategories(): Promise<Category[]>;
  createCategory(category: Category): Promise<Category>;
  updateCategory(name: string, changes: CategoryChanges): Promise<Category>;
  /**
   * Deletes a category. While clusters use it the backend answers 409 with
   * their names, unless they are reassigned to another category or cleared.
   */
  deleteCategory(
    name: string,
    options?: { reassignTo?: string; clear?: boolean },
  ): Promise<void>;
  /** Health-checks the cluster now; returns it with the new status. */
  refreshCluster(name: string): Promise<Cluster>;
  /**
   * Trusts the host key the cluster's SSH bastion presents now, if its
   * fingerprint is the given one (what the admin saw).
   */
  acceptSshHostKey(name: string, fingerprint: string): Promise<Cluster>;
  /** Disconnects the cluster: removes the record, the cluster itself is untouched. */
  deleteCluster(name: string): Promise<void>;
  /**
   * Deletes, with an admin's credential (never stored), the ServiceAccount
   * and bindings the registry created in the cluster at registration.
   */
  removeServiceAccount(
    name: string,
    request: RemoveServiceAccountRequest,
  ): Promise<ServiceAccountRemoval>;
  /** The providers this portal can create clusters at, with what their configuration allows. */
  listProvisioners(): Promise<ProvisionerInfo[]>;
  /** Starts creating a cluster at a provider; it is registered at once (provisioning). */
  provisionCluster(
    request: ProvisionClusterRequest,
  ): Promise<ProvisioningAccepted>;
  /** The cluster's latest create or delete request at its provider, with its steps. */
  getProvisioning(name: string): Promise<ProvisioningRequest>;
  /** Runs a failed create or delete again from its failed step. */
  retryProvisioning(name: string): Promise<ProvisioningRequest>;
  /** Deletes a portal-created cluster at its provider (and then from the registry). */
  deprovisionCluster(name: string): Promise<ProvisioningRequest>;
  /** Registers a cluster; verified first unless `skipVerification`. */
  createCluster(request: CreateClusterRequest): Promise<Cluster>;
  /** Connects with unsaved registration settings and says what it found. */
  verifyCluster(request: CreateClusterRequest): Promise<UnsavedVerification>;
  /** Edits a cluster; omitted secrets keep their stored values. */
  updateCluster(name: string, request: UpdateClusterRequest): Promise<Cluster>;
  /** Replaces a cluster's credentials, verified like a registration. */
  rotateCredentials(
    name: string,
    request: RotateCredentialsRequest,
  ): Promise<Cluster>;
  /** Lists the contexts of a kubeconfig with whether each can be registered. */
  inspectKubeconfig(kubeconfig: string): Promise<KubeconfigInspection>;
  /** Registers the picked contexts; one result per context. */
  importKubeconfig(
    request: ImportKubeconfigRequest,
  ): Promise<KubeconfigImportResult[]>;
  /** Runs a real query against a stored (name) or unsaved Prometheus endpoint. */
  testPrometheus(
    target: { cluster: string } | { settings: PrometheusSettings },
  ): Promise<PrometheusTestResult>;
  /**
   * What the cluster's API server says now: nodes, capacity, version support
   * and what the stored credentials may do. Each part may carry its own error.
   */
  getClusterInsight(name: string): Promise<ClusterInsight>;
  /** The cluster's events, warnings first. */
  listClusterEvents(
    name: string,
    query?: ListClusterEventsQuery,
  ): Promise<ClusterEventList>;
  /** Which exporters the cluster's Prometheus has, and what missing ones would add. */
  getMetricsSources(name: string): Promise<MetricsSources>;
  /** Runs named queries of the catalogue against the cluster's Prometheus. */
  queryClusterMetrics(
    name: string,
    request: MetricsQueryRequest,
  ): Promise<MetricsQueryResponse>;
  /** The catalogue of named queries. */
  listNamedQueries(): Promise<NamedQueryList>;
  /** A catalog entity's application metrics in every cluster that runs it. */
  queryEntityMetrics(
    request: EntityMetricsRequest,
  ): Promise<EntityMetricsResponse>;
  /** The latest health checks of the named clusters, oldest first. */
  getHealthTrends(clusters: string[]): Promise<HealthTrends>;
}

/** @public */
export const clusterRegistryApiRef = createApiRef<ClusterRegistryApi>({
  id: 'plugin.cluster-registry.api',
});
