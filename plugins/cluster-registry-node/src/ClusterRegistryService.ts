import {
  AuthService,
  BackstageCredentials,
  coreServices,
  createServiceFactory,
  createServiceRef,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  Cluster,
  CreateClusterRequest,
  ImportKubeconfigRequest,
  KubeconfigImportResult,
  Page,
  UpdateClusterRequest,
} from '@cluster-registry/plugin-cluster-registry-common';
import { ClusterConnection } from './types';

/** Whom a call is made for: a user (their permissions apply) or, by default, the calling plugin. @public */
export interface ClusterRegistryCallOptions {
  credentials?: BackstageCredentials;
}

/**
 * The cluster registry for other backend plugins and modules. Calls go to the
 * registry's REST API with service-to-service auth, on behalf of the given
 * credentials (so a user's permissions apply) or of the calling plugin.
 *
 * @public
 */
export interface ClusterRegistryService {
  /** Every registered cluster (all pages), without secrets. */
  listClusters(options?: ClusterRegistryCallOptions): Promise<Cluster[]>;
  getCluster(
    name: string,
    options?: ClusterRegistryCallOptions,
  ): Promise<Cluster>;
  createCluster(
    request: CreateClusterRequest,
    options?: ClusterRegistryCallOptions,
  ): Promise<Cluster>;
  updateCluster(
    name: string,
    request: UpdateClusterRequest,
    options?: ClusterRegistryCallOptions,
  ): Promise<Cluster>;
  importKubeconfig(
    request: ImportKubeconfigRequest,
    options?: ClusterRegistryCallOptions,
  ): Promise<KubeconfigImportResult[]>;
  /**
   * Connection details with credentials of every non-isolated cluster.
   * Answered only to plugins listed in `clusterRegistry.credentialConsumers`.
   */
  listConnections(): Promise<ClusterConnection[]>;
}

/** @public */
export class DefaultClusterRegistryService implements ClusterRegistryService {
  constructor(
    private readonly deps: { discovery: DiscoveryService; auth: AuthService },
  ) {}

  private async call<T>(
    path: string,
    init: { method?: string; body?: unknown } = {},
    options: ClusterRegistryCallOptions = {},
  ): Promise<T> {
    const { auth, discovery } = this.deps;
    const base = await discovery.getBaseUrl('cluster-registry');
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf:
        options.credentials ?? (await auth.getOwnServiceCredentials()),
      targetPluginId: 'cluster-registry',
    });
    const res = await fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${token}`,
        ...(init.body !== undefined
          ? { 'content-type': 'application/json' }
          : {}),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    if (!res.ok) {
      // Keep the registry's own words ("name: a cluster named 'x' already
      // exists") rather than "Request failed with 409 Conflict".
      const error = await ResponseError.fromResponse(res);
      const reason = error.body?.error?.message;
      if (reason) error.message = `cluster registry (${res.status}): ${reason}`;
      throw error;
    }
    return (res.status === 204 ? undefined : await res.json()) as T;
  }

  async listClusters(options?: ClusterRegistryCallOptions) {
    const clusters: Cluster[] = [];
    let cursor: string | undefined;
    do {
      const page: Page<Cluster> = await this.call(
        `/clusters?limit=500${cursor ? `&cursor=${cursor}` : ''}`,
        {},
        options,
      );
      clusters.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return clusters;
  }

  getCluster(name: string, options?: ClusterRegistryCallOptions) {
    return this.call<Cluster>(
      `/clusters/${encodeURIComponent(name)}`,
      {},
      options,
    );
  }

  createCluster(
    request: CreateClusterRequest,
    options?: ClusterRegistryCallOptions,
  ) {
    return this.call<Cluster>(
      '/clusters',
      { method: 'POST', body: request },
      options,
    );
  }

  updateCluster(
    name: string,
    request: UpdateClusterRequest,
    options?: ClusterRegistryCallOptions,
  ) {
    return this.call<Cluster>(
      `/clusters/${encodeURIComponent(name)}`,
      { method: 'PATCH', body: request },
      options,
    );
  }

  async importKubeconfig(
    request: ImportKubeconfigRequest,
    options?: ClusterRegistryCallOptions,
  ) {
    return (
      await this.call<{ results: KubeconfigImportResult[] }>(
        '/kubeconfig/import',
        { method: 'POST', body: request },
        options,
      )
    ).results;
  }

  async listConnections() {
    return (
      await this.call<{ items: ClusterConnection[] }>('/internal/connections')
    ).items;
  }
}

/**
 * The cluster registry as a service for backend plugins and modules.
 *
 * @public
 */
export const clusterRegistryServiceRef =
  createServiceRef<ClusterRegistryService>({
    id: 'cluster-registry.client',
    scope: 'plugin',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: { discovery: coreServices.discovery, auth: coreServices.auth },
        factory: deps => new DefaultClusterRegistryService(deps),
      }),
  });
