import { KubeConfig } from '@kubernetes/client-node';
import { ClusterTls } from '@cluster-registry/plugin-cluster-registry-common';
import { ClusterSecrets, StoredAuth } from '../database/types';

/** What is needed to talk to an API server: the parts of a cluster record that matter. */
export interface ClusterEndpoint {
  name: string;
  serverUrl: string;
  auth: StoredAuth;
  tls: ClusterTls;
  secrets: ClusterSecrets;
}

/**
 * A one-context KubeConfig (`@kubernetes/client-node`) for a cluster, with its
 * credentials. AWS IAM clusters carry no stored credential: their token is
 * minted per use and passed as `awsToken`.
 */
export function buildKubeConfig(
  endpoint: ClusterEndpoint,
  awsToken?: string,
): KubeConfig {
  const user: Record<string, unknown> = { name: 'registry' };
  if (endpoint.auth.type === 'bearerToken') {
    user.token = endpoint.secrets.token;
  } else if (endpoint.auth.type === 'clientCertificate') {
    user.certData = endpoint.auth.certData;
    user.keyData = endpoint.secrets.clientKeyData;
  } else if (awsToken) {
    user.token = awsToken;
  } else {
    throw new Error('an AWS IAM cluster needs a minted token');
  }
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: endpoint.name,
        server: endpoint.serverUrl,
        caData: endpoint.tls.caData,
        skipTLSVerify: endpoint.tls.insecureSkipTlsVerify,
      },
    ],
    users: [user],
    contexts: [
      { name: endpoint.name, cluster: endpoint.name, user: 'registry' },
    ],
    currentContext: endpoint.name,
  });
  return kc;
}
