import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  ClusterDetails,
  KubernetesClustersSupplier,
} from '@backstage/plugin-kubernetes-node';
import {
  ClusterConnection,
  ClusterConnectionsService,
  ClusterRegistryService,
  LoopbackEndpoint,
} from '@cluster-registry/plugin-cluster-registry-node';
import { CLIENT_CERT_KEY, CLIENT_KEY_KEY, REGISTRY_CLUSTER_KEY } from './auth';

/** Annotation-style keys of the registry's own metadata, shown to no one. */
function authMetadata(c: ClusterConnection): ClusterDetails['authMetadata'] {
  const base = { [REGISTRY_CLUSTER_KEY]: c.name };
  switch (c.auth.type) {
    case 'bearerToken':
      return {
        ...base,
        'kubernetes.io/auth-provider': 'serviceAccount',
        serviceAccountToken: c.auth.token,
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
 * Supplies the registry's clusters, asked on every request (so a cluster
 * registered a moment ago is there), combined with what the configured
 * locators supply. Isolated clusters have no endpoint and are not supplied;
 * the registry only returns the others.
 *
 * A cluster behind an HTTP proxy or an SSH bastion is supplied as its
 * loopback bridge in this process (`ClusterConnectionsService.loopbackFor`):
 * a URL on 127.0.0.1 and the bridge CA, never stored or shown, while the
 * bridge verifies the real server under its real name. Such a cluster with a
 * client certificate gets the bridge's client certificate, and the bridge
 * presents the real one upstream. Bridges of clusters that are gone or
 * direct again are closed here, on the next call.
 *
 * @public
 */
export class RegistryClusterSupplier implements KubernetesClustersSupplier {
  constructor(
    private readonly registry: ClusterRegistryService,
    private readonly configured: KubernetesClustersSupplier,
    private readonly options: {
      clusterPageUrl(name: string): string;
      logger: LoggerService;
      /** Reaches tunnelled clusters; without it they are left out. */
      connections?: ClusterConnectionsService;
    },
  ) {}

  private lastRetained = 0;

  /**
   * At most once a minute, closes the bridges of clusters that are gone or
   * direct again, against the unfiltered list (the module's own call).
   */
  private retainLoopbacksSoon() {
    const { connections, logger } = this.options;
    if (!connections || Date.now() - this.lastRetained < 60_000) return;
    this.lastRetained = Date.now();
    this.registry
      .listConnections()
      .then(all => connections.retainLoopbacks(all))
      .catch(error =>
        logger.warn(`could not check which loopback bridges to keep: ${error}`),
      );
  }

  async getClusters(
    options: Parameters<KubernetesClustersSupplier['getClusters']>[0],
  ): Promise<ClusterDetails[]> {
    // If the registry cannot answer, the configured clusters still work.
    const [configured, registered] = await Promise.all([
      this.configured.getClusters(options),
      // On behalf of the user who asks, where the Kubernetes plugin says
      // who: they are supplied only the clusters they may read.
      this.registry.listConnections(onBehalfOf(options)).catch(error => {
        this.options.logger.warn(
          `cluster registry did not answer, supplying only configured clusters: ${error}`,
        );
        return [] as ClusterConnection[];
      }),
    ]);
    const configuredNames = new Set(configured.map(c => c.name));
    const { connections } = this.options;
    // Bridges are closed only against the whole list: a user's list leaves
    // out clusters that others still use.
    if (onBehalfOf(options).credentials) this.retainLoopbacksSoon();
    else connections?.retainLoopbacks(registered);
    const supplied = await Promise.all(
      registered
        .filter(c => !configuredNames.has(c.name))
        .map(async (c): Promise<ClusterDetails | undefined> => {
          const details: ClusterDetails = {
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
          if (c.connection.method === 'direct') return details;
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
        }),
    );
    return [
      ...configured,
      ...supplied.filter((c): c is ClusterDetails => c !== undefined),
    ];
  }
}
