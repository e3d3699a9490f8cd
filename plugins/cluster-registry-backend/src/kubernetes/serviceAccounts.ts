import crypto from 'node:crypto';
import { KubeResponse } from './request';

/** One request to the API server, JSON in and out. */
export type KubeCall = (
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
) => Promise<KubeResponse>;

/** An object the registry created in a cluster for its ServiceAccount. */
export interface CreatedObject {
  kind:
    | 'Namespace'
    | 'ServiceAccount'
    | 'Role'
    | 'RoleBinding'
    | 'ClusterRoleBinding'
    | 'Secret';
  name: string;
  namespace?: string;
}

/** What is stored of a minted ServiceAccount (never a secret). */
export interface StoredServiceAccount {
  namespace: string;
  name: string;
  clusterRole: string;
  tokenLifetimeSeconds: number;
  /**
   * `requested` (absent in rows from before the choice): short-lived
   * tokens from TokenRequest, renewed by the health sweep. `secret`: one
   * long-lived token the cluster's token controller puts into a Secret of
   * type kubernetes.io/service-account-token; it never expires and stops
   * working when the Secret is deleted.
   */
  tokenType?: ServiceAccountTokenType;
  /** In the order they were created; removal goes the other way. */
  objects: CreatedObject[];
  renewedAt?: string;
}

export type ServiceAccountTokenType = 'requested' | 'secret';

export interface MintedToken {
  token: string;
  /** Absent for a long-lived token Secret. */
  expiresAt?: string;
}

/** Why minting, renewing or removing failed, for the field it concerns. */
export class ServiceAccountError extends Error {
  constructor(
    message: string,
    readonly field: 'auth' | 'serviceAccount' = 'serviceAccount',
  ) {
    super(message);
    this.name = 'ServiceAccountError';
  }
}

const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const MANAGED = {
  'app.kubernetes.io/managed-by': 'backstage-cluster-registry',
};

function pathOf(o: CreatedObject): string {
  const name = encodeURIComponent(o.name);
  const ns = o.namespace ? encodeURIComponent(o.namespace) : '';
  switch (o.kind) {
    case 'Namespace':
      return `/api/v1/namespaces/${name}`;
    case 'ServiceAccount':
      return `/api/v1/namespaces/${ns}/serviceaccounts/${name}`;
    case 'Role':
      return `${RBAC}/namespaces/${ns}/roles/${name}`;
    case 'RoleBinding':
      return `${RBAC}/namespaces/${ns}/rolebindings/${name}`;
    case 'Secret':
      return `/api/v1/namespaces/${ns}/secrets/${name}`;
    default:
      return `${RBAC}/clusterrolebindings/${name}`;
  }
}

/** The API server's own words for a refusal, bounded. */
function reasonOf(res: KubeResponse): string {
  const message = typeof res.body?.message === 'string' ? res.body.message : '';
  return `${res.status}${message ? `: ${message.slice(0, 300)}` : ''}`;
}

/** A refusal of the credential is the credential's field; any other, the request's. */
function fieldOf(res: KubeResponse): ServiceAccountError['field'] {
  return res.status === 401 || res.status === 403 ? 'auth' : 'serviceAccount';
}

function describe(o: CreatedObject) {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

/**
 * Asks the API server for a token of the account (TokenRequest), with the
 * admin's credential at registration and with the account's own token (its
 * Role allows exactly this) when renewing.
 */
export async function requestToken(
  call: KubeCall,
  account: Pick<
    StoredServiceAccount,
    'namespace' | 'name' | 'tokenLifetimeSeconds'
  >,
): Promise<MintedToken> {
  const res = await call(
    'POST',
    `/api/v1/namespaces/${encodeURIComponent(
      account.namespace,
    )}/serviceaccounts/${encodeURIComponent(account.name)}/token`,
    {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: account.tokenLifetimeSeconds },
    },
  );
  const token = res.body?.status?.token;
  const expiresAt = res.body?.status?.expirationTimestamp;
  if (res.status !== 201 || typeof token !== 'string' || !token)
    throw new ServiceAccountError(
      `the API server refused a token for ServiceAccount ${account.namespace}/${
        account.name
      } (${reasonOf(res)})`,
      fieldOf(res),
    );
  const at = new Date(typeof expiresAt === 'string' ? expiresAt : NaN);
  return {
    token,
    expiresAt: Number.isNaN(at.getTime())
      ? new Date(Date.now() + account.tokenLifetimeSeconds * 1000).toISOString()
      : at.toISOString(),
  };
}

/**
 * The token the cluster's token controller (kube-controller-manager) puts
 * into a Secret of type kubernetes.io/service-account-token, once it has.
 */
async function secretToken(
  call: KubeCall,
  namespace: string,
  name: string,
  timeoutMs: number,
): Promise<MintedToken> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call(
      'GET',
      `/api/v1/namespaces/${encodeURIComponent(
        namespace,
      )}/secrets/${encodeURIComponent(name)}`,
    );
    if (res.status !== 200)
      throw new ServiceAccountError(
        `could not read the token Secret ${namespace}/${name} (${reasonOf(
          res,
        )})`,
        fieldOf(res),
      );
    const data = res.body?.data?.token;
    if (typeof data === 'string' && data) {
      return { token: Buffer.from(data, 'base64').toString('utf8') };
    }
    if (Date.now() + 250 > deadline)
      throw new ServiceAccountError(
        `the cluster put no token into the Secret ${namespace}/${name} within ${timeoutMs} ms: its token controller (kube-controller-manager) may not run; choose short-lived tokens instead`,
      );
    await new Promise(r => setTimeout(r, 250));
  }
}

/**
 * Creates, with an admin's credential, what a registration keeps instead of
 * it: the namespace (if missing), a ServiceAccount with a unique name, a
 * ClusterRoleBinding to `clusterRole`, and either a Role and RoleBinding that
 * let the account ask for its own next token (`requested`), or a token
 * Secret (`secret`). Returns the account's first (or only) token.
 * If any step fails, what was created is deleted again.
 */
export async function mintServiceAccount(
  call: KubeCall,
  options: {
    clusterName: string;
    namespace: string;
    clusterRole: string;
    tokenLifetimeSeconds: number;
    tokenType?: ServiceAccountTokenType;
    /**
     * The whole mint's budget when it waits for the token controller to
     * fill a token Secret (at least 1 s of it for the wait).
     */
    secretTimeoutMs?: number;
  },
): Promise<{ account: StoredServiceAccount; token: MintedToken }> {
  const started = Date.now();
  const role = await call(
    'GET',
    `${RBAC}/clusterroles/${encodeURIComponent(options.clusterRole)}`,
  );
  if (role.status === 404)
    throw new ServiceAccountError(
      `the cluster has no ClusterRole named ${options.clusterRole}`,
    );
  if (role.status === 401 || role.status === 403)
    throw new ServiceAccountError(
      `the credential may not read ClusterRole ${
        options.clusterRole
      } (${reasonOf(role)}); creating a ServiceAccount needs an admin`,
      'auth',
    );
  const suffix = crypto.randomBytes(3).toString('hex');
  const name = `cluster-registry-${options.clusterName}`
    .slice(0, 63 - suffix.length - 1)
    .replace(/-+$/, '');
  const account: StoredServiceAccount = {
    namespace: options.namespace,
    name: `${name}-${suffix}`,
    clusterRole: options.clusterRole,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds,
    ...(options.tokenType === 'secret' ? { tokenType: 'secret' as const } : {}),
    objects: [],
  };
  const ns = account.namespace;
  const sa = account.name;
  const metadata = (extra: object = {}) => ({
    labels: MANAGED,
    annotations: {
      'cluster-registry.backstage.io/cluster': options.clusterName,
    },
    ...extra,
  });
  const subject = [{ kind: 'ServiceAccount', name: sa, namespace: ns }];
  const create = async (
    object: CreatedObject,
    collection: string,
    body: object,
    { existingIsFine = false } = {},
  ) => {
    const res = await call('POST', collection, body);
    if (res.status === 201) {
      account.objects.push(object);
      return;
    }
    if (res.status === 409 && existingIsFine) return;
    throw new ServiceAccountError(
      `could not create ${describe(object)} (${reasonOf(res)})`,
      fieldOf(res),
    );
  };
  try {
    await create(
      { kind: 'Namespace', name: ns },
      '/api/v1/namespaces',
      { apiVersion: 'v1', kind: 'Namespace', metadata: metadata({ name: ns }) },
      { existingIsFine: true },
    );
    await create(
      { kind: 'ServiceAccount', name: sa, namespace: ns },
      `/api/v1/namespaces/${ns}/serviceaccounts`,
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: metadata({ name: sa, namespace: ns }),
      },
    );
    await create(
      { kind: 'ClusterRoleBinding', name: sa },
      `${RBAC}/clusterrolebindings`,
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: metadata({ name: sa }),
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: options.clusterRole,
        },
        subjects: subject,
      },
    );
    if (account.tokenType === 'secret') {
      const secret = `${sa}-token`;
      await create(
        { kind: 'Secret', name: secret, namespace: ns },
        `/api/v1/namespaces/${ns}/secrets`,
        {
          apiVersion: 'v1',
          kind: 'Secret',
          type: 'kubernetes.io/service-account-token',
          metadata: metadata({
            name: secret,
            namespace: ns,
            annotations: {
              'cluster-registry.backstage.io/cluster': options.clusterName,
              'kubernetes.io/service-account.name': sa,
            },
          }),
        },
      );
      return {
        account,
        // What is left of the budget, so the whole mint stays within it.
        token: await secretToken(
          call,
          ns,
          secret,
          Math.max(
            1_000,
            (options.secretTimeoutMs ?? 10_000) - (Date.now() - started),
          ),
        ),
      };
    }
    // The account may ask for its own next token, and nothing more.
    await create(
      { kind: 'Role', name: `${sa}-token`, namespace: ns },
      `${RBAC}/namespaces/${ns}/roles`,
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: metadata({ name: `${sa}-token`, namespace: ns }),
        rules: [
          {
            apiGroups: [''],
            resources: ['serviceaccounts/token'],
            resourceNames: [sa],
            verbs: ['create'],
          },
        ],
      },
    );
    await create(
      { kind: 'RoleBinding', name: `${sa}-token`, namespace: ns },
      `${RBAC}/namespaces/${ns}/rolebindings`,
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: metadata({ name: `${sa}-token`, namespace: ns }),
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'Role',
          name: `${sa}-token`,
        },
        subjects: subject,
      },
    );
    return { account, token: await requestToken(call, account) };
  } catch (error) {
    // Nothing half-made stays behind in the cluster.
    await removeServiceAccount(call, account).catch(() => undefined);
    throw error;
  }
}

/**
 * Deletes what `mintServiceAccount` created, newest first, with an admin's
 * credential; objects already gone are fine. The namespace is deleted only
 * if the registry created it and no other ServiceAccount of its own is left
 * in it. Returns what was deleted.
 */
export async function removeServiceAccount(
  call: KubeCall,
  account: StoredServiceAccount,
): Promise<CreatedObject[]> {
  const removed: CreatedObject[] = [];
  for (const object of [...account.objects].reverse()) {
    if (object.kind === 'Namespace') {
      const others = await call(
        'GET',
        `/api/v1/namespaces/${encodeURIComponent(
          object.name,
        )}/serviceaccounts?labelSelector=${encodeURIComponent(
          'app.kubernetes.io/managed-by=backstage-cluster-registry',
        )}`,
      );
      if (others.status !== 200 || (others.body?.items?.length ?? 0) > 0)
        continue;
    }
    const res = await call('DELETE', pathOf(object));
    if (res.status === 200 || res.status === 202) removed.push(object);
    else if (res.status !== 404)
      throw new ServiceAccountError(
        `could not delete ${describe(object)} (${reasonOf(res)})`,
        fieldOf(res),
      );
  }
  return removed;
}
