import {
  BackstageCredentials,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import { clusterReadPermission } from '@cluster-registry/plugin-cluster-registry-common';
import {
  ClusterDetails,
  KubernetesClustersSupplier,
} from '@backstage/plugin-kubernetes-node';
import {
  ClusterConnection,
  ClusterConnectionsService,
  clusterPermissionRuleset,
  ClusterRegistryService,
  LoopbackEndpoint,
} from '@cluster-registry/plugin-cluster-registry-node';
import { CLIENT_CERT_KEY, CLIENT_KEY_KEY, REGISTRY_CLUSTER_KEY } from './auth';
import { RegistryConnections } from './RegistryConnections';

/** Annotation-style keys of the registry's own metadata, shown to no one. */
function authMetadata(c: ClusterConnection): ClusterDetails['authMetadata'] {
  const base = { [REGISTRY_CLUSTER_KEY]: c.name };
  switch (c.auth.type) {
    case 'bearerToken':
      // One literal shape for the common case: the Kubernetes router reads
      // these keys of every cluster on every list.
      return {
        'kubernetes.io/auth-provider': 'serviceAccount',
        serviceAccountToken: c.auth.token,
        'cluster-registry.io/cluster': c.name,
      };
    case 'clientCertificate':
      return {
        ...base,
        'kubernetes.io/auth-provider': 'serviceAccount',
        [CLIENT_CERT_KEY]: c.auth.certData,
        [CLIENT_KEY_KEY]: c.auth.keyData,
      };
    default:
      // The Kubernetes plugin's own AWS strategy signs an STS token.
      return {
        ...base,
        'kubernetes.io/auth-provider': 'aws',
        'kubernetes.io/x-k8s-aws-id': c.auth.clusterId,
        ...(c.auth.assumeRole && {
          'kubernetes.io/aws-assume-role': c.auth.assumeRole,
        }),
        ...(c.auth.externalId && {
          'kubernetes.io/aws-external-id': c.auth.externalId,
        }),
      };
  }
}

/** Whether two lists hold the same objects in the same order. */
function sameItems<T>(a: T[], b: T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The asking user's credentials, if the Kubernetes plugin passed a user's. */
function onBehalfOf(
  options: Parameters<KubernetesClustersSupplier['getClusters']>[0],
): { credentials?: BackstageCredentials } {
  const credentials = options?.credentials;
  return credentials?.principal &&
    (credentials.principal as { type?: string }).type === 'user'
    ? { credentials }
    : {};
}

/**
 * Supplies the registry's clusters, combined with what the configured
 * locators supply. Isolated clusters have no endpoint and are not supplied;
 * the registry only returns the others.
 *
 * The clusters come from {@link RegistryConnections}, the list this process
 * keeps by the registry's change events, so a request costs no registry
 * call; a cluster registered a moment ago is there as soon as its event
 * arrived. Asked for a user, it supplies only the clusters that user may
 * read: the policy's decision on clusterReadPermission, applied here with
 * the registry's rules. A condition with a rule this module does not know
 * (one another module added to the registry) is left to the registry: that
 * request reads the user's clusters from it, as before the list was kept.
 *
 * A cluster behind an HTTP proxy or an SSH bastion is supplied as its
 * loopback bridge in this process (`ClusterConnectionsService.loopbackFor`):
 * a URL on 127.0.0.1 and the bridge CA, never stored or shown, while the
 * bridge verifies the real server under its real name. Such a cluster with a
 * client certificate gets the bridge's client certificate, and the bridge
 * presents the real one upstream. Bridges of clusters that are gone or
 * direct again are closed at the first request after the kept list changed.
 *
 * @public
 */
export class RegistryClusterSupplier implements KubernetesClustersSupplier {
  private readonly details = new WeakMap<ClusterConnection, ClusterDetails>();
  private readonly allows = createConditionAuthorizer(clusterPermissionRuleset);
  private retainedFor?: ClusterConnection[];
  /** The last answer without tunnelled clusters, and what it was made of. */
  private lastAnswer?: {
    configured: ClusterDetails[];
    registered: ClusterConnection[];
    supplied: ClusterDetails[];
  };

  constructor(
    private readonly registry: ClusterRegistryService,
    private readonly configured: KubernetesClustersSupplier,
    private readonly options: {
      clusterPageUrl(name: string): string;
      logger: LoggerService;
      /** The kept list of the registry's clusters. */
      kept: RegistryConnections;
      /** Decides what a user may read. */
      permissions: PermissionsService;
      /** Reaches tunnelled clusters; without it they are left out. */
      connections?: ClusterConnectionsService;
    },
  ) {}

  /** The clusters a user may read, of the kept list. */
  private async readableBy(
    all: ClusterConnection[],
    credentials: BackstageCredentials,
  ): Promise<ClusterConnection[]> {
    const [decision] = await this.options.permissions.authorizeConditional(
      [{ permission: clusterReadPermission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.ALLOW) return all;
    if (decision.result === AuthorizeResult.DENY) return [];
    try {
      return all.filter(c =>
        this.allows(decision, {
          name: c.name,
          category: c.category,
          owner: c.owner,
          labels: c.labels ?? {},
        }),
      );
    } catch {
      // A rule only the registry knows: it applies the conditions itself.
      return this.registry.listConnections({ credentials });
    }
  }

  private async registered(
    options: Parameters<KubernetesClustersSupplier['getClusters']>[0],
  ): Promise<ClusterConnection[]> {
    const all = await this.options.kept.connections();
    // Bridges are closed against the whole list, once per change of it.
    if (this.retainedFor !== all) {
      this.retainedFor = all;
      this.options.connections?.retainLoopbacks(all);
    }
    const { credentials } = onBehalfOf(options);
    // Nothing registered: no decision to ask for.
    return credentials && all.length > 0
      ? this.readableBy(all, credentials)
      : all;
  }

  private toDetails(c: ClusterConnection): ClusterDetails {
    let details = this.details.get(c);
    if (!details) {
      details = {
        name: c.name,
        title: [c.title, c.category && `(${c.category})`]
          .filter(Boolean)
          .join(' '),
        url: c.serverUrl,
        authMetadata: authMetadata(c),
        caData: c.tls.caData,
        skipTLSVerify: c.tls.insecureSkipTlsVerify,
        skipMetricsLookup: true,
        dashboardUrl: this.options.clusterPageUrl(c.name),
      };
      this.details.set(c, details);
    }
    return details;
  }

  /** A tunnelled cluster as its loopback bridge, or undefined if it has none. */
  private async bridged(
    c: ClusterConnection,
    details: ClusterDetails,
  ): Promise<ClusterDetails | undefined> {
    const { connections } = this.options;
    if (!connections) return undefined;
    let bridge: LoopbackEndpoint;
    try {
      bridge = await connections.loopbackFor(c);
    } catch (error) {
      this.options.logger.warn(
        `cluster ${c.name}: no loopback bridge: ${error}`,
      );
      return undefined;
    }
    return {
      ...details,
      url: bridge.url,
      caData: bridge.caData,
      skipTLSVerify: false,
      authMetadata: bridge.clientCert
        ? {
            ...details.authMetadata,
            [CLIENT_CERT_KEY]: bridge.clientCert.certData,
            [CLIENT_KEY_KEY]: bridge.clientCert.keyData,
          }
        : details.authMetadata,
    };
  }

  async getClusters(
    options: Parameters<KubernetesClustersSupplier['getClusters']>[0],
  ): Promise<ClusterDetails[]> {
    // If the registry cannot answer, the configured clusters still work.
    const [configured, registered] = await Promise.all([
      this.configured.getClusters(options),
      this.registered(options).catch(error => {
        this.options.logger.warn(
          `cluster registry did not answer, supplying only configured clusters: ${error}`,
        );
        return [] as ClusterConnection[];
      }),
    ]);
    // The same clusters as last time (the kept list and the configured
    // locators answer the same objects until they change): the same answer.
    const last = this.lastAnswer;
    if (
      last &&
      last.registered === registered &&
      sameItems(last.configured, configured)
    )
      return last.supplied;
    const configuredNames = new Set(configured.map(c => c.name));
    // In the registry's (name) order, tunnelled clusters in their place.
    const slots: Array<ClusterDetails | Promise<ClusterDetails | undefined>> =
      [];
    let tunnelled = false;
    for (const c of registered) {
      if (configuredNames.has(c.name)) continue;
      const details = this.toDetails(c);
      if (c.connection.method === 'direct') {
        slots.push(details);
      } else {
        tunnelled = true;
        slots.push(this.bridged(c, details));
      }
    }
    const supplied: ClusterDetails[] = [...configured];
    for (const slot of tunnelled ? await Promise.all(slots) : slots) {
      if (slot) supplied.push(slot as ClusterDetails);
    }
    // Bridges come and go with their idle timeouts: never kept.
    this.lastAnswer = tunnelled
      ? undefined
      : { configured, registered, supplied };
    return supplied;
  }
}
