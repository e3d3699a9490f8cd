import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ClusterDetails,
  KubernetesClustersSupplier,
} from '@backstage/plugin-kubernetes-node';
import {
  ClusterConnection,
  ClusterRegistryService,
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

/**
 * Supplies the registry's clusters, asked on every request (so a cluster
 * registered a moment ago is there), combined with what the configured
 * locators supply. Isolated clusters have no endpoint and are not supplied;
 * the registry only returns the others.
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
    },
  ) {}

  async getClusters(
    options: Parameters<KubernetesClustersSupplier['getClusters']>[0],
  ): Promise<ClusterDetails[]> {
    // If the registry cannot answer, the configured clusters still work.
    const [configured, registered] = await Promise.all([
      this.configured.getClusters(options),
      this.registry.listConnections().catch(error => {
        this.options.logger.warn(
          `cluster registry unavailable, supplying only configured clusters: ${error}`,
        );
        return [] as ClusterConnection[];
      }),
    ]);
    const configuredNames = new Set(configured.map(c => c.name));
    const fromRegistry = registered
      .filter(c => c.connection.method === 'direct')
      .filter(c => !configuredNames.has(c.name))
      .map(
        (c): ClusterDetails => ({
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
        }),
      );
    return [...configured, ...fromRegistry];
  }
}
