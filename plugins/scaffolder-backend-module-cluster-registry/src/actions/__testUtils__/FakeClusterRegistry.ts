import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  Cluster,
  CreateClusterRequest,
  FieldIssue,
  ImportKubeconfigRequest,
  KubeconfigImportResult,
  ProvisionClusterRequest,
  ProvisioningRequest,
  UpdateClusterRequest,
} from '@cluster-registry/plugin-cluster-registry-common';
import {
  ClusterConnection,
  ClusterRegistryCallOptions,
  ClusterRegistryService,
} from '@cluster-registry/plugin-cluster-registry-node';

/** One call the fake answered, and whom it was made for. */
export interface FakeRegistryCall {
  method:
    | 'createCluster'
    | 'updateCluster'
    | 'importKubeconfig'
    | 'provisionCluster';
  name?: string;
  request: unknown;
  credentials?: BackstageCredentials;
}

/**
 * An in-memory cluster registry for the actions' unit tests. It answers the
 * way `DefaultClusterRegistryService` does since it passes the registry's own
 * errors on: `ConflictError` / `NotFoundError` / `InputError` with `fields`,
 * `NotAllowedError` for a caller without the permission.
 */
export class FakeClusterRegistry implements ClusterRegistryService {
  readonly clusters = new Map<string, Cluster>();
  readonly calls: FakeRegistryCall[] = [];

  constructor(
    private readonly options: {
      /** Known categories; others are refused. */
      categories?: string[];
      /** Who may create and update; everybody when not given. */
      writers?: string[];
      /** Kubeconfig contexts whose API server fails verification. */
      unverifiableContexts?: string[];
    } = {},
  ) {}

  /**
   * What getProvisioning answers for a cluster, one after another (the last
   * one stays): a test scripts a request's progress.
   */
  readonly progress = new Map<string, Array<Partial<ProvisioningRequest>>>();
  private readonly byKey = new Map<string, string>();

  async provisionCluster(
    request: ProvisionClusterRequest,
    options?: ClusterRegistryCallOptions,
  ) {
    this.calls.push({
      method: 'provisionCluster',
      name: request.name,
      request,
      credentials: options?.credentials,
    });
    const seen =
      request.idempotencyKey && this.byKey.get(request.idempotencyKey);
    if (seen)
      return {
        cluster: this.find(seen),
        request: await this.getProvisioning(seen),
      };
    const cluster = this.create(
      {
        name: request.name,
        title: request.title,
        category: request.category,
        owner: request.owner,
        isolated: true,
      },
      this.authorize('create', options),
    );
    cluster.status = { state: 'provisioning' };
    cluster.origin = {
      type: 'provisioned',
      provider: request.provider,
      requestId: `req-${request.name}`,
    };
    if (request.idempotencyKey)
      this.byKey.set(request.idempotencyKey, request.name);
    return { cluster, request: await this.getProvisioning(request.name) };
  }

  async getProvisioning(name: string): Promise<ProvisioningRequest> {
    this.find(name);
    const script = this.progress.get(name) ?? [];
    const next = (script.length > 1 ? script.shift() : script[0]) ?? {};
    return {
      id: `req-${name}`,
      cluster: name,
      provider: 'eks',
      operation: 'create',
      state: 'running',
      steps: [],
      createdAt: '2026-12-04T00:00:00Z',
      createdBy: 'user:default/alice',
      updatedAt: '2026-12-04T00:00:00Z',
      ...next,
    };
  }

  /** Clusters registered before the test, without recording a call. */
  seed(...requests: CreateClusterRequest[]): this {
    for (const request of requests) this.create(request, 'user:default/seed');
    return this;
  }

  async listClusters() {
    return [...this.clusters.values()];
  }

  async getCluster(name: string) {
    return this.find(name);
  }

  async createCluster(
    request: CreateClusterRequest,
    options?: ClusterRegistryCallOptions,
  ) {
    this.calls.push({
      method: 'createCluster',
      request,
      credentials: options?.credentials,
    });
    return this.create(request, this.authorize('create', options));
  }

  async updateCluster(
    name: string,
    request: UpdateClusterRequest,
    options?: ClusterRegistryCallOptions,
  ) {
    this.calls.push({
      method: 'updateCluster',
      name,
      request,
      credentials: options?.credentials,
    });
    const by = this.authorize('update', options);
    const cluster = this.find(name);
    if (request.category) this.assertCategory(request.category);
    const updated: Cluster = {
      ...cluster,
      category:
        request.category === undefined
          ? cluster.category
          : request.category ?? undefined,
      updatedBy: by,
    };
    this.clusters.set(name, updated);
    return updated;
  }

  async importKubeconfig(
    request: ImportKubeconfigRequest,
    options?: ClusterRegistryCallOptions,
  ): Promise<KubeconfigImportResult[]> {
    this.calls.push({
      method: 'importKubeconfig',
      request,
      credentials: options?.credentials,
    });
    const by = this.authorize('create', options);
    if (!request.kubeconfig.trim())
      throw fieldIssue('kubeconfig', 'is empty', InputError);
    return request.contexts.map(({ context, ...pick }) => {
      const name = pick.name ?? context;
      try {
        if (this.options.unverifiableContexts?.includes(context))
          throw fieldIssue(
            'serverUrl',
            'verification failed (tls): certificate signed by unknown authority',
            InputError,
          );
        const cluster = this.create(
          {
            ...pick,
            name,
            category: pick.category ?? request.category,
            owner: pick.owner ?? request.owner,
            serverUrl: `https://${context}.example.com:6443`,
            auth: { type: 'bearerToken', token: 'from-the-kubeconfig' },
            skipVerification: request.skipVerification,
          },
          by,
        );
        return { context, name, status: 'created', cluster };
      } catch (error) {
        // The registry answers a context's own failure in its result.
        const e = error as Error & { fields?: FieldIssue[] };
        return {
          context,
          name,
          status: 'failed',
          error: { name: e.name, message: e.message, fields: e.fields },
        };
      }
    });
  }

  async listConnections(): Promise<ClusterConnection[]> {
    throw new NotAllowedError('not a credential consumer');
  }

  async getConnection(): Promise<ClusterConnection> {
    throw new NotAllowedError('not a credential consumer');
  }

  private find(name: string): Cluster {
    const cluster = this.clusters.get(name);
    if (!cluster)
      throw fieldIssue('name', `no cluster named '${name}'`, NotFoundError);
    return cluster;
  }

  private assertCategory(category: string) {
    const { categories } = this.options;
    if (categories && !categories.includes(category))
      throw fieldIssue(
        'category',
        `unknown category '${category}'`,
        InputError,
      );
  }

  /** The caller's entity ref, if they may; `NotAllowedError` otherwise. */
  private authorize(
    action: 'create' | 'update',
    options?: ClusterRegistryCallOptions,
  ): string {
    const principal = options?.credentials?.principal as
      | { type: string; userEntityRef?: string; subject?: string }
      | undefined;
    const by = principal?.userEntityRef ?? principal?.subject ?? 'plugin:self';
    const { writers } = this.options;
    if (writers && !writers.includes(by))
      throw new NotAllowedError(
        `not allowed: cluster-registry.cluster.${action}`,
      );
    return by;
  }

  private create(request: CreateClusterRequest, by: string): Cluster {
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(request.name))
      throw fieldIssue('name', 'must be a DNS-1123 label', InputError);
    if (this.clusters.has(request.name))
      throw fieldIssue(
        'name',
        `a cluster named '${request.name}' already exists`,
        ConflictError,
      );
    if (request.category) this.assertCategory(request.category);
    if (!request.isolated && (!request.serverUrl || !request.auth))
      throw fieldIssue(
        request.serverUrl ? 'auth' : 'serverUrl',
        'is required unless isolated',
        InputError,
      );
    const now = '2025-01-01T00:00:00.000Z';
    const cluster: Cluster = {
      name: request.name,
      title: request.title ?? request.name,
      description: request.description,
      category: request.category,
      labels: request.labels ?? {},
      owner: request.owner,
      isolated: Boolean(request.isolated),
      serverUrl: request.serverUrl,
      tls: {
        caData: request.tls?.caData,
        insecureSkipTlsVerify: request.tls?.insecureSkipTlsVerify ?? false,
      },
      connection: { method: 'direct' },
      status: request.isolated
        ? { state: 'isolated' }
        : { state: 'running', kubernetesVersion: 'v1.31.2' },
      origin: { type: 'registered' },
      createdAt: now,
      updatedAt: now,
      createdBy: by,
      updatedBy: by,
    };
    this.clusters.set(cluster.name, cluster);
    return cluster;
  }
}

/** The registry's field errors: `field: reason`, the same in `fields`. */
function fieldIssue(
  field: string,
  reason: string,
  ErrorClass: typeof InputError | typeof ConflictError | typeof NotFoundError,
) {
  return Object.assign(new ErrorClass(`${field}: ${reason}`), {
    fields: [{ field, reason }],
  });
}
