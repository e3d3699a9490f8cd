import {
  coreServices,
  createServiceFactory,
  RootLoggerService,
} from '@backstage/backend-plugin-api';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import {
  acquireTestEnv,
  adminKubeConfig,
  b64,
  KubeApiServerEnv,
  RunningTestEnv,
} from '@internal/cluster-registry-test-env';
import {
  AuthorizationV1Api,
  CoreV1Api,
  KubeConfig,
  RbacAuthorizationV1Api,
} from '@kubernetes/client-node';
import crypto from 'node:crypto';
import request from 'supertest';
import { startRegistry } from '../__testUtils__/startRegistry';
import { manualSweeps } from '../__testUtils__/manualSweeps';
import { DatabaseClusterStore } from '../database/DatabaseClusterStore';
import { SecretBox } from '../secrets/SecretBox';

jest.setTimeout(240_000);

const BASE = '/api/cluster-registry';
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/** Every log line of the test backend, as text. */
function recordingLogger(lines: string[]): RootLoggerService {
  const make = (): RootLoggerService => {
    const log = (message: string, meta?: unknown) => {
      lines.push(`${message} ${JSON.stringify(meta ?? {})}`);
    };
    return {
      error: log,
      warn: log,
      info: log,
      debug: log,
      child: () => make(),
    };
  };
  return make();
}

/** A KubeConfig that authenticates with `token` only. */
function tokenKubeConfig(api: KubeApiServerEnv, token: string) {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: api.serverUrl, caData: b64(api.caData) }],
    users: [{ name: 'u', token }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
  return kc;
}

async function allowed(
  api: KubeApiServerEnv,
  token: string,
  attributes: { verb: string; resource: string; group?: string },
) {
  const review = await tokenKubeConfig(api, token)
    .makeApiClient(AuthorizationV1Api)
    .createSelfSubjectAccessReview({
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { group: '', ...attributes } },
      },
    });
  return review.status?.allowed === true;
}

const gone = async (p: Promise<unknown>) =>
  p.then(
    () => false,
    (e: any) => e?.code === 404,
  );

describe('a read-only ServiceAccount minted from an admin credential, against a real kube-apiserver', () => {
  let running: RunningTestEnv;
  let api: KubeApiServerEnv;
  let server: any;
  let store: DatabaseClusterStore;
  let knex: any;
  const logs: string[] = [];
  const { factory: schedulerFactory, sweep } = manualSweeps();

  beforeAll(async () => {
    running = await acquireTestEnv({ kubeApiServers: 1 });
    api = running.env.kubeApiServers[0];
    knex = await databases.init('SQLITE_3');
    const key = crypto.randomBytes(32);
    server = await startRegistry({
      settings: {
        encryptionKey: key.toString('base64'),
        // Every sweep renews (a token lives at least 600 s).
        serviceAccounts: { renewBeforeSeconds: 100_000 },
      },
      features: [
        schedulerFactory,
        mockServices.database.factory({ knex }),
        createServiceFactory({
          service: coreServices.rootLogger,
          deps: {},
          factory: () => recordingLogger(logs),
        }),
      ],
    });
    store = await DatabaseClusterStore.create({
      database: mockServices.database({ knex, migrations: { skip: true } }),
      secrets: SecretBox.fromKey(key),
    });
  });
  afterAll(() => running?.stop());

  it('creates the account, keeps only its token, renews it, and removes it with the admin credential', async () => {
    const namespace = `registry-${crypto.randomBytes(4).toString('hex')}`;
    const created = await request(server)
      .post(`${BASE}/clusters`)
      .send({
        name: 'minted',
        serverUrl: api.serverUrl,
        auth: { type: 'bearerToken', token: api.adminToken },
        tls: { caData: b64(api.caData) },
        // The shared test API server has no namespace controller: a deleted
        // namespace stays Terminating, so each run uses its own.
        serviceAccount: { tokenLifetimeSeconds: 600, namespace },
      });
    expect({ status: created.status, error: created.body.error }).toEqual({
      status: 201,
    });
    const account = created.body.serviceAccount;
    expect(account).toMatchObject({
      namespace,
      clusterRole: 'view',
      tokenLifetimeSeconds: 600,
    });
    expect(account.name).toMatch(/^cluster-registry-minted-[0-9a-f]{6}$/);
    expect(account.objects.map((o: any) => o.kind)).toEqual([
      'Namespace',
      'ServiceAccount',
      'ClusterRoleBinding',
      'Role',
      'RoleBinding',
    ]);
    // Verified with the account's token: it reads, it is not an admin.
    expect(created.body.status).toMatchObject({
      state: 'running',
      permissionLevel: 'read',
    });
    const expiresIn = Date.parse(created.body.auth.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(500_000);
    expect(expiresIn).toBeLessThanOrEqual(600_000);

    // The stored token is the account's: it can read and cannot write.
    const first = (await store.getClusterWithSecrets('minted')).secrets.token!;
    expect(first).not.toBe(api.adminToken);
    expect(await allowed(api, first, { verb: 'list', resource: 'pods' })).toBe(
      true,
    );
    for (const attributes of [
      { verb: 'create', resource: 'deployments', group: 'apps' },
      { verb: 'delete', resource: 'namespaces' },
      { verb: 'get', resource: 'secrets' },
    ])
      expect(await allowed(api, first, attributes)).toBe(false);

    // The health sweep renews it with the account's own token.
    await sweep();
    const renewed = await store.getClusterWithSecrets('minted');
    expect(renewed.secrets.token).not.toBe(first);
    expect(
      await allowed(api, renewed.secrets.token!, {
        verb: 'list',
        resource: 'pods',
      }),
    ).toBe(true);
    const view = await request(server).get(`${BASE}/clusters/minted`);
    expect(view.body.serviceAccount.renewedAt).toBeDefined();
    expect(view.body.status.state).toBe('running');

    // Its credential is the registry's to renew, not to replace.
    const rotate = await request(server)
      .put(`${BASE}/clusters/minted/credentials`)
      .send({ auth: { type: 'bearerToken', token: api.readOnlyToken } });
    expect(rotate.status).toBe(400);
    expect(rotate.body.error.message).toMatch(
      /^auth: the credential is ServiceAccount .*remove it first/,
    );

    // Removing it needs an admin: the account's own token may not.
    const refused = await request(server)
      .post(`${BASE}/clusters/minted/service-account/remove`)
      .send({ auth: { type: 'bearerToken', token: api.readOnlyToken } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields).toEqual([
      expect.objectContaining({ field: 'auth' }),
    ]);
    const removed = await request(server)
      .post(`${BASE}/clusters/minted/service-account/remove`)
      .send({ auth: { type: 'bearerToken', token: api.adminToken } });
    expect(removed.status).toBe(200);
    expect(removed.body.removed.map((o: any) => o.kind)).toEqual([
      'RoleBinding',
      'Role',
      'ClusterRoleBinding',
      'ServiceAccount',
      'Namespace',
    ]);
    const admin = adminKubeConfig(api);
    const core = admin.makeApiClient(CoreV1Api);
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    const ns = account.namespace;
    expect(
      await gone(
        core.readNamespacedServiceAccount({
          name: account.name,
          namespace: ns,
        }),
      ),
    ).toBe(true);
    expect(
      await gone(rbac.readClusterRoleBinding({ name: account.name })),
    ).toBe(true);
    expect(
      await gone(
        rbac.readNamespacedRole({
          name: `${account.name}-token`,
          namespace: ns,
        }),
      ),
    ).toBe(true);
    expect(
      (await request(server).delete(`${BASE}/clusters/minted`)).status,
    ).toBe(204);

    // The admin credential is in no stored row, log line or answer.
    const rows = JSON.stringify(await knex('clusters').select());
    for (const text of [
      rows,
      logs.join('\n'),
      JSON.stringify(created.body),
      JSON.stringify(view.body),
      JSON.stringify(removed.body),
    ])
      expect(text).not.toContain(api.adminToken);
  });

  it('keeps a long-lived token Secret instead when asked: filled by the token controller, never renewed, dead once removed', async () => {
    const namespace = `registry-${crypto.randomBytes(4).toString('hex')}`;
    const created = await request(server)
      .post(`${BASE}/clusters`)
      .send({
        name: 'minted-secret',
        serverUrl: api.serverUrl,
        auth: { type: 'bearerToken', token: api.adminToken },
        tls: { caData: b64(api.caData) },
        serviceAccount: { tokenType: 'secret', namespace },
      });
    expect({ status: created.status, error: created.body.error }).toEqual({
      status: 201,
    });
    const account = created.body.serviceAccount;
    expect(account).toMatchObject({
      namespace,
      clusterRole: 'view',
      tokenType: 'secret',
    });
    expect(account.objects.map((o: any) => o.kind)).toEqual([
      'Namespace',
      'ServiceAccount',
      'ClusterRoleBinding',
      'Secret',
    ]);
    expect(created.body.auth.expiresAt).toBeUndefined();
    expect(created.body.status).toMatchObject({
      state: 'running',
      permissionLevel: 'read',
    });

    // The stored token is the Secret's, a legacy token without expiry.
    const stored = (await store.getClusterWithSecrets('minted-secret')).secrets
      .token!;
    const core = adminKubeConfig(api).makeApiClient(CoreV1Api);
    const secret = await core.readNamespacedSecret({
      name: `${account.name}-token`,
      namespace,
    });
    expect(secret.type).toBe('kubernetes.io/service-account-token');
    expect(Buffer.from(secret.data!.token, 'base64').toString()).toBe(stored);
    const claims = JSON.parse(
      Buffer.from(stored.split('.')[1], 'base64url').toString(),
    );
    expect(claims.exp).toBeUndefined();
    expect(await allowed(api, stored, { verb: 'list', resource: 'pods' })).toBe(
      true,
    );
    expect(
      await allowed(api, stored, {
        verb: 'create',
        resource: 'deployments',
        group: 'apps',
      }),
    ).toBe(false);

    // The sweep has nothing to renew (every sweep renews a requested token here).
    await sweep();
    expect(
      (await store.getClusterWithSecrets('minted-secret')).secrets.token,
    ).toBe(stored);
    const view = await request(server).get(`${BASE}/clusters/minted-secret`);
    expect(view.body.status.state).toBe('running');
    expect(view.body.serviceAccount.renewedAt).toBeUndefined();

    const removed = await request(server)
      .post(`${BASE}/clusters/minted-secret/service-account/remove`)
      .send({ auth: { type: 'bearerToken', token: api.adminToken } });
    expect(removed.status).toBe(200);
    expect(removed.body.removed.map((o: any) => o.kind)).toEqual([
      'Secret',
      'ClusterRoleBinding',
      'ServiceAccount',
      'Namespace',
    ]);
    await request(server).delete(`${BASE}/clusters/minted-secret`).expect(204);
    // Without its Secret the token no longer authenticates, once the API
    // server's cache of successful authentications (10 s) has let it go.
    let answer: unknown;
    for (let i = 0; i < 80; i++) {
      answer = await allowed(api, stored, {
        verb: 'list',
        resource: 'pods',
      }).catch((e: any) => e?.code);
      if (answer === 401) break;
      await new Promise(r => setTimeout(r, 250));
    }
    expect(answer).toBe(401);
  });

  it('creates nothing that stays when the admin credential may not create it all', async () => {
    // The read-only token may read ClusterRoles but create nothing.
    const res = await request(server)
      .post(`${BASE}/clusters`)
      .send({
        name: 'not-an-admin',
        serverUrl: api.serverUrl,
        auth: { type: 'bearerToken', token: api.readOnlyToken },
        tls: { caData: b64(api.caData) },
        serviceAccount: { namespace: 'not-created-here' },
      });
    expect(res.status).toBe(400);
    expect(res.body.error.fields[0].field).toBe('auth');
    expect(res.body.error.message).toMatch(
      /auth: the credential may not read ClusterRole view .*needs an admin/,
    );
    const core = adminKubeConfig(api).makeApiClient(CoreV1Api);
    expect(await gone(core.readNamespace({ name: 'not-created-here' }))).toBe(
      true,
    );
    // A ClusterRole that does not exist is named.
    const unknownRole = await request(server)
      .post(`${BASE}/clusters`)
      .send({
        name: 'unknown-role',
        serverUrl: api.serverUrl,
        auth: { type: 'bearerToken', token: api.adminToken },
        tls: { caData: b64(api.caData) },
        serviceAccount: { clusterRole: 'no-such-role' },
      });
    expect(unknownRole.status).toBe(400);
    expect(unknownRole.body.error.message).toMatch(
      /serviceAccount: the cluster has no ClusterRole named no-such-role/,
    );
    expect(
      (await request(server).get(`${BASE}/clusters?limit=10`)).body.totalCount,
    ).toBe(0);
  });
});
