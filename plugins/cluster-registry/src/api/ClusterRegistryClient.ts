import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  Category,
  Cluster,
  CreateClusterRequest,
  ImportKubeconfigRequest,
  KubeconfigImportResult,
  KubeconfigInspection,
  Page,
  PrometheusTestResult,
  RotateCredentialsRequest,
  UnsavedVerification,
  UpdateClusterRequest,
} from '@cluster-registry/plugin-cluster-registry-common';
import { ClusterRegistryApi, ListClustersQuery } from './ClusterRegistryApi';

const JSON_HEADERS = { 'content-type': 'application/json' };

/** Talks to /api/cluster-registry through the portal's discovery and fetch APIs. @public */
export class ClusterRegistryClient implements ClusterRegistryApi {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  private async send(path: string, init?: RequestInit): Promise<Response> {
    const base = await this.deps.discoveryApi.getBaseUrl('cluster-registry');
    const res = await this.deps.fetchApi.fetch(`${base}${path}`, init);
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return res;
  }

  private async request<T>(path: string, init?: RequestInit): Promise<T> {
    return (await (await this.send(path, init)).json()) as T;
  }

  createCategory(category: Category): Promise<Category> {
    return this.request('/categories', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify(category),
    });
  }

  updateCategory(
    name: string,
    changes: Omit<Category, 'name'>,
  ): Promise<Category> {
    return this.request(`/categories/${encodeURIComponent(name)}`, {
      method: 'PATCH',
      headers: JSON_HEADERS,
      body: JSON.stringify(changes),
    });
  }

  async deleteCategory(
    name: string,
    options: { reassignTo?: string; clear?: boolean } = {},
  ): Promise<void> {
    const params = new URLSearchParams();
    if (options.reassignTo) params.set('reassignTo', options.reassignTo);
    if (options.clear) params.set('clear', 'true');
    const qs = params.toString();
    await this.send(
      `/categories/${encodeURIComponent(name)}${qs ? `?${qs}` : ''}`,
      { method: 'DELETE' },
    );
  }

  refreshCluster(name: string): Promise<Cluster> {
    return this.request(`/clusters/${encodeURIComponent(name)}/refresh`, {
      method: 'POST',
    });
  }

  async deleteCluster(name: string): Promise<void> {
    await this.send(`/clusters/${encodeURIComponent(name)}`, {
      method: 'DELETE',
    });
  }

  listClusters(query: ListClustersQuery = {}): Promise<Page<Cluster>> {
    const params = new URLSearchParams();
    for (const c of query.categories ?? []) params.append('category', c);
    for (const s of query.states ?? []) params.append('state', s);
    if (query.q) params.set('q', query.q);
    if (query.limit) params.set('limit', String(query.limit));
    if (query.cursor) params.set('cursor', query.cursor);
    const qs = params.toString();
    return this.request(`/clusters${qs ? `?${qs}` : ''}`);
  }

  getCluster(name: string): Promise<Cluster> {
    return this.request(`/clusters/${encodeURIComponent(name)}`);
  }

  private post<T>(path: string, body: unknown, method = 'POST'): Promise<T> {
    return this.request(path, {
      method,
      headers: JSON_HEADERS,
      body: JSON.stringify(body),
    });
  }

  createCluster(request: CreateClusterRequest): Promise<Cluster> {
    return this.post('/clusters', request);
  }

  verifyCluster(request: CreateClusterRequest): Promise<UnsavedVerification> {
    return this.post('/verify', request);
  }

  updateCluster(name: string, request: UpdateClusterRequest): Promise<Cluster> {
    return this.post(`/clusters/${encodeURIComponent(name)}`, request, 'PATCH');
  }

  rotateCredentials(
    name: string,
    request: RotateCredentialsRequest,
  ): Promise<Cluster> {
    return this.post(
      `/clusters/${encodeURIComponent(name)}/credentials`,
      request,
      'PUT',
    );
  }

  inspectKubeconfig(kubeconfig: string): Promise<KubeconfigInspection> {
    return this.post('/kubeconfig/inspect', { kubeconfig });
  }

  async importKubeconfig(
    request: ImportKubeconfigRequest,
  ): Promise<KubeconfigImportResult[]> {
    return (
      await this.post<{ results: KubeconfigImportResult[] }>(
        '/kubeconfig/import',
        request,
      )
    ).results;
  }

  testPrometheus(
    target: { cluster: string } | { settings: unknown },
  ): Promise<PrometheusTestResult> {
    return 'cluster' in target
      ? this.request(
          `/clusters/${encodeURIComponent(target.cluster)}/prometheus/test`,
          { method: 'POST' },
        )
      : this.post('/prometheus/test', target.settings);
  }

  async listCategories(): Promise<Category[]> {
    return (await this.request<{ items: Category[] }>('/categories')).items;
  }
}
