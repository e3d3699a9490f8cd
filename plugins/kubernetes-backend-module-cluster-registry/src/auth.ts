import {
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import {
  AksStrategy,
  AnonymousStrategy,
  AwsIamStrategy,
  AzureIdentityStrategy,
  GoogleServiceAccountStrategy,
  GoogleStrategy,
  OidcStrategy,
  ServiceAccountStrategy,
} from '@backstage/plugin-kubernetes-backend';
import {
  AuthenticationStrategy,
  AuthMetadata,
  ClusterDetails,
  KubernetesCredential,
} from '@backstage/plugin-kubernetes-node';

export const REGISTRY_CLUSTER_KEY = 'cluster-registry.io/cluster';
export const CLIENT_CERT_KEY = 'cluster-registry.io/client-cert-data';
export const CLIENT_KEY_KEY = 'cluster-registry.io/client-key-data';

const pem = (base64: string) => Buffer.from(base64, 'base64').toString('utf8');

/**
 * The `serviceAccount` strategy, able to present a client certificate too:
 * registry clusters with client-certificate auth carry it in their (never
 * presented) auth metadata. Everything else is the built-in strategy, so
 * clusters from app-config keep working and the Kubernetes frontend needs no
 * new auth provider (`serviceAccount` is resolved server-side).
 *
 * @public
 */
export class ServiceAccountOrClientCertificateStrategy
  implements AuthenticationStrategy
{
  private readonly builtIn = new ServiceAccountStrategy();

  async getCredential(
    clusterDetails: ClusterDetails,
    _authConfig: Parameters<AuthenticationStrategy['getCredential']>[1],
  ): Promise<KubernetesCredential> {
    const cert = clusterDetails.authMetadata[CLIENT_CERT_KEY];
    const key = clusterDetails.authMetadata[CLIENT_KEY_KEY];
    if (cert && key) {
      return {
        type: 'x509 client certificate',
        cert: pem(cert),
        key: pem(key),
      };
    }
    return this.builtIn.getCredential(clusterDetails);
  }

  validateCluster(_authMetadata: AuthMetadata): Error[] {
    return this.builtIn.validateCluster();
  }

  presentAuthMetadata(_authMetadata: AuthMetadata): AuthMetadata {
    return {};
  }
}

/**
 * Adding any auth strategy replaces the Kubernetes plugin's built-in set, so
 * they are registered again here, under their usual keys, with
 * `serviceAccount` extended to client certificates.
 */
export function authStrategies(deps: {
  config: RootConfigService;
  logger: LoggerService;
}): Array<[string, AuthenticationStrategy]> {
  return [
    ['aks', new AksStrategy()],
    ['aws', new AwsIamStrategy({ config: deps.config })],
    ['azure', new AzureIdentityStrategy(deps.logger)],
    ['google', new GoogleStrategy()],
    [
      'googleServiceAccount',
      new GoogleServiceAccountStrategy({ config: deps.config }),
    ],
    ['localKubectlProxy', new AnonymousStrategy()],
    ['oidc', new OidcStrategy()],
    ['serviceAccount', new ServiceAccountOrClientCertificateStrategy()],
  ];
}
