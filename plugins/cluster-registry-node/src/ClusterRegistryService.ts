import {
  AuthService,
  BackstageCredentials,
  coreServices,
  createServiceFactory,
  createServiceRef,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { deserializeError, ResponseError } from '@backstage/errors';
import {
  CLUSTER_REGISTRY_PLUGIN_ID,
  Cluster,
  CreateClusterRequest,
  DefaultApiClient,
  ImportKubeconfigRequest,
  KubeconfigImportResult,
  ProvisionClusterRequest,
  ProvisioningAccepted,
  ProvisioningRequest,
  TypedResponse,
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
   * Starts creating a cluster at a provider (EKS): it is registered at once
   * in state `provisioning`. A request with an idempotencyKey seen before
   * answers with what that one created.
   */
  provisionCluster(
    request: ProvisionClusterRequest,
    options?: ClusterRegistryCallOptions,
  ): Promise<ProvisioningAccepted>;
  /** The cluster's latest provisioning request (create or delete) and its steps. */
  getProvisioning(
    name: string,
    options?: ClusterRegistryCallOptions,
  ): Promise<ProvisioningRequest>;
  /**
   * Connection details with credentials of every non-isolated cluster.
   * Answered only to plugins listed in `clusterRegistry.credentialConsumers`;
   * with a user's `credentials`, only the clusters that user may read (the
   * policy's conditions on clusterReadPermission).
   */
  listConnections(
    options?: ClusterRegistryCallOptions,
  ): Promise<ClusterConnection[]>;
  /**
   * One cluster of {@link ClusterRegistryService.listConnections}; a
   * `NotFoundError` wherever that list would leave it out. For consumers
   * that keep the list and apply the registry's change events to it.
   */
  getConnection(
    name: string,
    options?: ClusterRegistryCallOptions,
  ): Promise<ClusterConnection>;
}

/**
 * The body of a successful answer. A failed one throws the registry's own
 * Backstage error (`NotFoundError`, `ConflictError`, `InputError` with its
 * `fields`, ...), so callers can tell them apart by name.
 */
async function body<T>(response: Promise<TypedResponse<T>>): Promise<T> {
  const res = await response;
  if (!res.ok) {
    const error = await ResponseError.fromResponse(res as Response);
    throw error.body?.error
      ? Object.assign(deserializeError(error.body.error), {
          response: error.response,
        })
      : error;
  }
  return res.status === 204 ? (undefined as T) : res.json();
}

/** A request whose kept connection the server closed (a keep-alive race). */
function isConnectionReset(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    e?.code === 'ECONNRESET' ||
    e?.code === 'EPIPE' ||
    /socket hang up|ECONNRESET/.test(String(e?.message))
  );
}

/** @public */
export class DefaultClusterRegistryService implements ClusterRegistryService {
  private readonly api: DefaultApiClient;

  constructor(
    private readonly deps: { discovery: DiscoveryService; auth: AuthService },
  ) {
    this.api = new DefaultApiClient({ discoveryApi: deps.discovery });
  }

  /** A token for the registry, for the given user or the calling plugin. */
  private async token(options: ClusterRegistryCallOptions = {}) {
    const { auth } = this.deps;
    return auth.getPluginRequestToken({
      onBehalfOf:
        options.credentials ?? (await auth.getOwnServiceCredentials()),
      targetPluginId: CLUSTER_REGISTRY_PLUGIN_ID,
    });
  }

  async listClusters(options?: ClusterRegistryCallOptions) {
    const clusters: Cluster[] = [];
    let cursor: string | undefined;
    do {
      const page = await body(
        this.api.listClusters(
          { query: { limit: '500', cursor } },
          await this.token(options),
        ),
      );
      clusters.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return clusters;
  }

  async getCluster(name: string, options?: ClusterRegistryCallOptions) {
    return body(
      this.api.getCluster({ path: { name } }, await this.token(options)),
    );
  }

  async createCluster(
    request: CreateClusterRequest,
    options?: ClusterRegistryCallOptions,
  ) {
    return body(
      this.api.createCluster({ body: request }, await this.token(options)),
    );
  }

  async updateCluster(
    name: string,
    request: UpdateClusterRequest,
    options?: ClusterRegistryCallOptions,
  ) {
    return body(
      this.api.updateCluster(
        { path: { name }, body: request },
        await this.token(options),
      ),
    );
  }

  async importKubeconfig(
    request: ImportKubeconfigRequest,
    options?: ClusterRegistryCallOptions,
  ) {
    const { results } = await body(
      this.api.importKubeconfig({ body: request }, await this.token(options)),
    );
    return results;
  }

  async provisionCluster(
    request: ProvisionClusterRequest,
    options?: ClusterRegistryCallOptions,
  ) {
    return body(
      this.api.provisionCluster({ body: request }, await this.token(options)),
    );
  }

  async getProvisioning(name: string, options?: ClusterRegistryCallOptions) {
    return body(
      this.api.getProvisioning({ path: { name } }, await this.token(options)),
    );
  }

  async listConnections(options?: ClusterRegistryCallOptions) {
    const token = await this.token(options);
    // Asked on every request of the Kubernetes plugin: a kept connection
    // the registry's server closed just as it was reused is asked again
    // (a read), instead of leaving that request without registered clusters.
    const { items } = await body(
      this.api.listConnections({}, token).catch(error => {
        if (!isConnectionReset(error)) throw error;
        return this.api.listConnections({}, token);
      }),
    );
    return items;
  }

  async getConnection(name: string, options?: ClusterRegistryCallOptions) {
    const token = await this.token(options);
    return body(
      this.api.getConnection({ path: { name } }, token).catch(error => {
        if (!isConnectionReset(error)) throw error;
        return this.api.getConnection({ path: { name } }, token);
      }),
    );
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
