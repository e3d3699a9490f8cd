import {
  ParsedClusterAuth as AuthInput,
  ParsedClusterConnection as ConnectionInput,
  ParsedClusterPrometheus as PrometheusInput,
  ParsedClusterPrometheusUpdate as PrometheusUpdateInput,
} from '@cluster-registry/plugin-cluster-registry-common';
import {
  ClusterConnection,
  ConnectionRoute,
} from '@cluster-registry/plugin-cluster-registry-node';
import {
  ClusterRecordWithSecrets,
  ClusterSecrets,
  StoredAuth,
  StoredConnection,
  StoredPrometheus,
} from '../database/types';
import { credentialExpiry } from './credentialExpiry';
import { fieldError } from './errors';

/**
 * The one codec between the API's sections that carry secrets (auth,
 * connection, Prometheus) and their stored forms: `split*` takes a request's
 * section apart into what is stored in clear and what is sealed,
 * `keepStored*` fills in the secrets an edit left out (never for a changed
 * destination), and `toConnection` puts a stored cluster back together for
 * the trusted backend plugins that dial it. `views.ts` is the other
 * direction, without secrets.
 */

export function splitAuth(auth: AuthInput): {
  auth: StoredAuth;
  secrets: Partial<ClusterSecrets>;
} {
  const expiresAt = credentialExpiry(auth);
  const expiry = expiresAt ? { expiresAt } : {};
  switch (auth.type) {
    case 'bearerToken':
      return {
        auth: { type: 'bearerToken', ...expiry },
        secrets: { token: auth.token, clientKeyData: undefined },
      };
    case 'clientCertificate':
      return {
        auth: {
          type: 'clientCertificate',
          certData: auth.certData,
          ...expiry,
        },
        secrets: { clientKeyData: auth.keyData, token: undefined },
      };
    default:
      return { auth, secrets: { token: undefined, clientKeyData: undefined } };
  }
}

const NO_CONNECTION_SECRETS: Partial<ClusterSecrets> = {
  sshPassword: undefined,
  sshPrivateKey: undefined,
  sshPassphrase: undefined,
  proxyPassword: undefined,
};

export function splitConnection(c: ConnectionInput): {
  connection: StoredConnection;
  secrets: Partial<ClusterSecrets>;
} {
  if (c.method === 'direct')
    return { connection: c, secrets: NO_CONNECTION_SECRETS };
  if (c.method === 'proxy') {
    const { password, ...rest } = c;
    if (password !== undefined && rest.username === undefined)
      throw fieldError('connection.username', 'is required with a password');
    return {
      connection: rest,
      secrets: { ...NO_CONNECTION_SECRETS, proxyPassword: password },
    };
  }
  const { password, privateKey, passphrase, ...rest } = c.sshTunnel;
  if (!password && !privateKey) {
    throw fieldError(
      'connection.sshTunnel',
      'give a password, a privateKey, or both',
    );
  }
  if (passphrase && !privateKey)
    throw fieldError(
      'connection.sshTunnel.passphrase',
      'goes with a privateKey',
    );
  return {
    connection: { method: 'sshTunnel', sshTunnel: rest },
    secrets: {
      ...NO_CONNECTION_SECRETS,
      sshPassword: password,
      sshPrivateKey: privateKey,
      sshPassphrase: passphrase,
    },
  };
}

export function splitPrometheus(p: PrometheusInput): {
  prometheus: StoredPrometheus;
  secrets: Partial<ClusterSecrets>;
} {
  const tls = p.tls && {
    caData: p.tls.caData,
    insecureSkipTlsVerify: p.tls.insecureSkipTlsVerify,
    clientCertData: p.tls.clientCertData,
  };
  if (p.tls && !!p.tls.clientCertData !== !!p.tls.clientKeyData) {
    throw fieldError(
      'prometheus.tls',
      'clientCertData and clientKeyData go together',
    );
  }
  return {
    prometheus: {
      url: p.url,
      auth:
        p.auth.type === 'basic'
          ? { type: 'basic', username: p.auth.username }
          : { type: 'anonymous' },
      tls,
      throughClusterConnection: p.throughClusterConnection,
      ...(p.clusterLabel && { clusterLabel: p.clusterLabel }),
    },
    secrets: {
      prometheusPassword: p.auth.type === 'basic' ? p.auth.password : undefined,
      prometheusClientKeyData: p.tls?.clientKeyData,
    },
  };
}

/**
 * Secrets are write-only: an edit that leaves out the SSH password, key and
 * passphrase, or the proxy password, keeps the stored ones; one that leaves
 * out the host keys of the same bastion keeps the pinned ones. Stored
 * secrets never follow a changed destination: a new bastion, proxy or user
 * needs its own credentials.
 */
export function keepStoredConnectionSecrets(
  input: ConnectionInput | undefined,
  current: ClusterRecordWithSecrets,
): ConnectionInput | undefined {
  const was = current.connection;
  if (input?.method === 'proxy' && was.method === 'proxy') {
    // A password given replaces the stored one; no user means no credentials.
    if (
      input.password !== undefined ||
      input.username === undefined ||
      !current.secrets.proxyPassword
    )
      return input;
    if (
      new URL(was.proxyUrl).origin !== new URL(input.proxyUrl).origin ||
      was.username !== input.username
    ) {
      throw fieldError(
        'connection.password',
        'give the proxy password again: the proxy or user changed, and stored secrets are not sent to a new destination',
      );
    }
    return { ...input, password: current.secrets.proxyPassword };
  }
  if (input?.method !== 'sshTunnel' || was.method !== 'sshTunnel') return input;
  const sameBastion =
    was.sshTunnel.host === input.sshTunnel.host &&
    was.sshTunnel.port === input.sshTunnel.port;
  const hostKeys =
    input.sshTunnel.hostKeys ??
    (sameBastion ? was.sshTunnel.hostKeys : undefined);
  if (input.sshTunnel.password || input.sshTunnel.privateKey) {
    return { ...input, sshTunnel: { ...input.sshTunnel, hostKeys } };
  }
  if (!sameBastion || was.sshTunnel.username !== input.sshTunnel.username) {
    throw fieldError(
      'connection.sshTunnel',
      'give the password or private key again: the host, port or user changed, and stored secrets are not sent to a new destination',
    );
  }
  return {
    ...input,
    sshTunnel: {
      ...input.sshTunnel,
      hostKeys,
      password: current.secrets.sshPassword,
      privateKey: current.secrets.sshPrivateKey,
      passphrase: input.sshTunnel.passphrase ?? current.secrets.sshPassphrase,
    },
  };
}

/** Like keepStoredConnectionSecrets, for the Prometheus password and client key. */
export function keepStoredPrometheusSecrets(
  input: PrometheusUpdateInput,
  current: ClusterRecordWithSecrets,
): PrometheusInput {
  // Stored secrets never follow a changed destination (scheme, host, port).
  // Nor one reached another way (directly instead of through the cluster's
  // network, or the other way round).
  // Nor one trusted differently (another CA, verification switched off):
  // a server that could not present the old trust may now be accepted.
  const sameOrigin =
    !!current.prometheus &&
    new URL(current.prometheus.url).origin === new URL(input.url).origin &&
    (current.prometheus.throughClusterConnection ?? false) ===
      input.throughClusterConnection &&
    (current.prometheus.tls?.caData ?? null) === (input.tls?.caData ?? null) &&
    !!current.prometheus.tls?.insecureSkipTlsVerify ===
      !!input.tls?.insecureSkipTlsVerify;
  let auth: PrometheusInput['auth'];
  if (input.auth.type === 'basic') {
    const password =
      input.auth.password ??
      (sameOrigin && current.prometheus?.auth.type === 'basic'
        ? current.secrets.prometheusPassword
        : undefined);
    if (!password)
      throw fieldError(
        'prometheus.auth.password',
        !sameOrigin && current.prometheus?.auth.type === 'basic'
          ? 'is required again: the URL points somewhere else now, or its TLS trust changed, and stored secrets are not sent to a new destination'
          : 'is required',
      );
    auth = { ...input.auth, password };
  } else {
    auth = input.auth;
  }
  const tls = input.tls && {
    ...input.tls,
    clientKeyData:
      input.tls.clientKeyData ??
      (input.tls.clientCertData && sameOrigin
        ? current.secrets.prometheusClientKeyData
        : undefined),
  };
  return { ...input, auth, tls };
}

/** A stored cluster as a trusted backend plugin needs it to connect. */
export function toConnection(c: ClusterRecordWithSecrets): ClusterConnection {
  const { secrets } = c;
  let auth: ClusterConnection['auth'];
  if (c.auth!.type === 'bearerToken') {
    auth = { type: 'bearerToken', token: secrets.token ?? '' };
  } else if (c.auth!.type === 'clientCertificate') {
    auth = {
      type: 'clientCertificate',
      certData: c.auth!.certData,
      keyData: secrets.clientKeyData ?? '',
    };
  } else {
    auth = c.auth!;
  }
  return {
    name: c.name,
    title: c.title,
    category: c.category,
    owner: c.owner,
    labels: c.labels,
    serverUrl: c.serverUrl!,
    tls: c.tls,
    auth,
    connection: toRoute(c.connection, secrets),
    state: c.status.state,
  };
}

/** A stored connection method with its secrets: how the connections service dials it. */
export function toRoute(
  connection: StoredConnection,
  secrets: ClusterSecrets,
): ConnectionRoute {
  if (connection.method === 'proxy')
    return { ...connection, password: secrets.proxyPassword };
  if (connection.method === 'sshTunnel')
    return {
      method: 'sshTunnel',
      sshTunnel: {
        ...connection.sshTunnel,
        hostKeys: connection.sshTunnel.hostKeys ?? [],
        password: secrets.sshPassword,
        privateKey: secrets.sshPrivateKey,
        passphrase: secrets.sshPassphrase,
      },
    };
  return connection;
}
