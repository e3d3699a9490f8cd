import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  Category,
  CategoryChanges,
  Cluster,
  ClusterEventList,
  ClusterInsight,
  ClusterPage,
  CreateClusterRequest,
  DefaultApiClient,
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
  TypedResponse,
  UnsavedVerification,
  UpdateClusterRequest,
  RemoveServiceAccountRequest,
  ServiceAccountRemoval,
  ProvisionClusterRequest,
  ProvisionerInfo,
  ProvisioningAccepted,
  ProvisioningRequest,
} from '@cluster-registry/plugin-cluster-registry-common';
import {
  ClusterRegistryApi,
  ListClusterEventsQuery,
  ListClustersQuery,
} from './ClusterRegistryApi';

/** The body of a successful answer; a failed one throws its Backstage error. */
async function body<T>(response: Promise<TypedResponse<T>>): Promise<T> {
  const res = await response;
  if (!res.ok) throw await ResponseError.fromResponse(res as Response);
  return res.status === 204 ? (undefined as T) : res.json();
}

/**
 * Talks to /api/cluster-registry through the portal's discovery and fetch
 * APIs, with the client generated from the backend's OpenAPI document.
 * @public
 */
export class ClusterRegistryClient implements ClusterRegistryApi {
  private readonly api: DefaultApiClient;

  constructor(deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.api = new DefaultApiClient(deps);
  }

  createCategory(category: Category): Promise<Category> {
    return body(this.api.createCategory({ body: category }));
  }

  updateCategory(name: string, changes: CategoryChanges): Promise<Category> {
    return body(this.api.updateCategory({ path: { name }, body: changes }));
  }

  async deleteCategory(
    name: string,
    options: { reassignTo?: string; clear?: boolean } = {},
  ): Promise<void> {
    await body(
      this.api.deleteCategory({
        path: { name },
        query: {
          reassignTo: options.reassignTo || undefined,
          clear: options.clear ? 'true' : undefined,
        },
      }),
    );
  }

  async listProvisioners(): Promise<ProvisionerInfo[]> {
    return (await body(this.api.listProvisioners({}))).items;
  }

  provisionCluster(
    request: ProvisionClusterRequest,
  ): Promise<ProvisioningAccepted> {
    return body(this.api.provisionCluster({ body: request }));
  }

  getProvisioning(name: string): Promise<ProvisioningRequest> {
    return body(this.api.getProvisioning({ path: { name } }));
  }

  retryProvisioning(name: string): Promise<ProvisioningRequest> {
    return body(this.api.retryProvisioning({ path: { name } }));
  }

  deprovisionCluster(name: string): Promise<ProvisioningRequest> {
    return body(this.api.deprovisionCluster({ path: { name } }));
  }

  refreshCluster(name: string): Promise<Cluster> {
    return body(this.api.refreshCluster({ path: { name } }));
  }

  acceptSshHostKey(name: string, fingerprint: string): Promise<Cluster> {
    return body(
      this.api.acceptSshHostKey({ path: { name }, body: { fingerprint } }),
    );
  }

  async deleteCluster(name: string): Promise<void> {
    await body(this.api.deleteCluster({ path: { name } }));
  }

  removeServiceAccount(
    name: string,
    request: RemoveServiceAccountRequest,
  ): Promise<ServiceAccountRemoval> {
    return body(
      this.api.removeServiceAccount({ path: { name }, body: request }),
    );
  }

  listClusters(query: ListClustersQuery = {}): Promise<ClusterPage> {
    return body(
      this.api.listClusters({
        query: {
          category: query.categories?.length ? query.categories : undefined,
          state: query.states?.length ? query.states : undefined,
          q: query.q || undefined,
          limit: query.limit ? String(query.limit) : undefined,
          cursor: query.cursor,
        },
      }),
    );
  }

  getCluster(name: string): Promise<Cluster> {
    return body(this.api.getCluster({ path: { name } }));
  }

  createCluster(request: CreateClusterRequest): Promise<Cluster> {
    return body(this.api.createCluster({ body: request }));
  }

  verifyCluster(request: CreateClusterRequest): Promise<UnsavedVerification> {
    return body(this.api.verifyCluster({ body: request }));
  }

  updateCluster(name: string, request: UpdateClusterRequest): Promise<Cluster> {
    return body(this.api.updateCluster({ path: { name }, body: request }));
  }

  rotateCredentials(
    name: string,
    request: RotateCredentialsRequest,
  ): Promise<Cluster> {
    return body(this.api.rotateCredentials({ path: { name }, body: request }));
  }

  inspectKubeconfig(kubeconfig: string): Promise<KubeconfigInspection> {
    return body(this.api.inspectKubeconfig({ body: { kubeconfig } }));
  }

  async importKubeconfig(
    request: ImportKubeconfigRequest,
  ): Promise<KubeconfigImportResult[]> {
    return (await body(this.api.importKubeconfig({ body: request }))).results;
  }

  testPrometheus(
    target: { cluster: string } | { settings: PrometheusSettings },
  ): Promise<PrometheusTestResult> {
    return 'cluster' in target
      ? body(this.api.testClusterPrometheus({ path: { name: target.cluster } }))
      : body(this.api.testPrometheus({ body: target.settings }));
  }

  async listCategories(): Promise<Category[]> {
    return (await body(this.api.listCategories({}))).items;
  }

  getClusterInsight(name: string): Promise<ClusterInsight> {
    return body(this.api.getClusterInsight({ path: { name } }));
  }

  listClusterEvents(
    name: string,
    query: ListClusterEventsQuery = {},
  ): Promise<ClusterEventList> {
    return body(
      this.api.listClusterEvents({
        path: { name },
        query: {
          type: query.type,
          limit: query.limit ? String(query.limit) : undefined,
        },
      }),
    );
  }

  getMetricsSources(name: string): Promise<MetricsSources> {
    return body(this.api.getMetricsSources({ path: { name } }));
  }

  queryClusterMetrics(
    name: string,
    request: MetricsQueryRequest,
  ): Promise<MetricsQueryResponse> {
    return body(
      this.api.queryClusterMetrics({ path: { name }, body: request }),
    );
  }

  listNamedQueries(): Promise<NamedQueryList> {
    return body(this.api.listNamedQueries({}));
  }

  queryEntityMetrics(
    request: EntityMetricsRequest,
  ): Promise<EntityMetricsResponse> {
    return body(this.api.queryEntityMetrics({ body: request }));
  }

  async getHealthTrends(clusters: string[]): Promise<HealthTrends> {
    if (!clusters.length) return { items: [] };
    return body(this.api.getHealthTrends({ query: { cluster: clusters } }));
  }
}
