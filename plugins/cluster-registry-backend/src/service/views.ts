import type { ProvisioningRequest } from '@cluster-registry/plugin-cluster-registry-common';
import type { ProvisioningRecord } from '../provisioning/ProvisioningStore';
import { Cluster } from '@cluster-registry/plugin-cluster-registry-common';
import { fingerprintOfPin } from '@cluster-registry/plugin-cluster-registry-node';
import { ClusterRecord, ClusterSecrets } from '../database/types';
import { isVersionSupported, SupportedVersions } from '../kubernetes/versions';

/**
 * The API view of a cluster: everything but the secrets, of which only
 * "is set" is said. The one place where records become responses.
 */
export function toClusterView(
  r: ClusterRecord,
  supported: SupportedVersions,
): Cluster {
  // Which secrets are set, by name: a view never decrypts them.
  const set = (key: keyof ClusterSecrets) => r.secretKeys.includes(key);
  let auth: Cluster['auth'];
  const expiry = r.auth?.expiresAt ? { expiresAt: r.auth.expiresAt } : {};
  if (r.auth?.type === 'bearerToken')
    auth = { type: 'bearerToken', tokenSet: set('token'), ...expiry };
  else if (r.auth?.type === 'clientCertificate') {
    auth = {
      type: 'clientCertificate',
      certData: r.auth.certData,
      keySet: set('clientKeyData'),
      ...expiry,
    };
  } else if (r.auth?.type === 'aws') auth = { ...r.auth };

  let connection: Cluster['connection'];
  if (r.connection.method === 'sshTunnel') {
    const hostKeys = r.connection.sshTunnel.hostKeys ?? [];
    connection = {
      method: 'sshTunnel',
      sshTunnel: {
        ...r.connection.sshTunnel,
        passwordSet: set('sshPassword'),
        privateKeySet: set('sshPrivateKey'),
        passphraseSet: set('sshPassphrase'),
        hostKeys,
        hostKeyFingerprints: hostKeys.map(k => fingerprintOfPin(k) ?? k),
      },
    };
  } else if (r.connection.method === 'proxy') {
    connection = { ...r.connection, passwordSet: set('proxyPassword') };
  } else connection = { ...r.connection };

  let prometheus: Cluster['prometheus'];
  if (r.prometheus) {
    prometheus = {
      url: r.prometheus.url,
      auth:
        r.prometheus.auth.type === 'basic'
          ? {
              type: 'basic',
              username: r.prometheus.auth.username,
              passwordSet: set('prometheusPassword'),
            }
          : { type: 'anonymous' },
      tls: r.prometheus.tls && {
        ...r.prometheus.tls,
        clientKeySet: set('prometheusClientKeyData'),
      },
      // Rows stored before the setting existed reach Prometheus directly.
      throughClusterConnection: r.prometheus.throughClusterConnection ?? false,
      ...(r.prometheus.clusterLabel && {
        clusterLabel: r.prometheus.clusterLabel,
      }),
    };
  }

  return {
    name: r.name,
    title: r.title,
    description: r.description,
    category: r.category,
    labels: r.labels,
    owner: r.owner,
    isolated: r.isolated,
    serverUrl: r.serverUrl,
    auth,
    tls: r.tls,
    connection,
    prometheus,
    ...(r.auth?.type === 'bearerToken' &&
      r.auth.serviceAccount && { serviceAccount: r.auth.serviceAccount }),
    status: {
      ...r.status,
      versionSupported: isVersionSupported(
        r.status.kubernetesVersion,
        supported,
      ),
    },
    origin: r.origin,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    createdBy: r.createdBy,
    updatedBy: r.updatedBy,
  };
}

/** A provisioning request as the API shows it: without what only the task needs. */
export function toProvisioningView(
  record: ProvisioningRecord,
): ProvisioningRequest {
  const {
    resources: _resources,
    registration: _registration,
    idempotencyKey: _key,
    attempts: _attempts,
    nextCheckAt: _next,
    ...view
  } = record;
  return view;
}
