import {
  coreServices,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  actionsRegistryServiceFactory,
  actionsServiceFactory,
} from '@backstage/backend-defaults/alpha';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import clusterRegistryPlugin from '@cluster-registry/plugin-cluster-registry-backend';
import {
  ClusterRegistryService,
  clusterRegistryServiceRef,
} from '@cluster-registry/plugin-cluster-registry-node';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import kubernetesModuleClusterRegistry from '@cluster-registry/plugin-kubernetes-backend-module-cluster-registry';
import { createRegisterClusterAction } from '@cluster-registry/plugin-scaffolder-backend-module-cluster-registry';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import crypto from 'node:crypto';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { demoPortalPermissionPolicy } from './modules/permissionPolicy';
import { authWithActors } from './__testUtils__/authWithActors';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/** Who is in which group: what the catalog would answer for ownership claims. */
const GROUPS: Record<string, string[]> = {
  'user:default/admin': ['group:default/platform'],
  'user:default/ann': ['group:default/qa'],
  'user:default/bob': [],
};
const ann = mockCredentials.user('user:default/ann');
const header = (ref: string) => mockCredentials.user.header(ref);

const userInfoFromGroups = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory: () => ({
    async getUserInfo(credentials) {
      const { userEntityRef } = credentials.principal as {
        userEntityRef: string;
      };
      return {
        userEntityRef,
        ownershipEntityRefs: [userEntityRef, ...(GROUPS[userEntityRef] ?? [])],
      };
    },
  }),
});

describe.each(databases.eachSupportedId())(
  'least privilege with the real permission backend and the demo policy, on %p',
  databaseId => {
    let server: any;
    let registry: ClusterRegistryService;

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      ({ server } = await startTestBackend({
        features: [
          clusterRegistryPlugin,
          permissionPlugin,
          demoPortalPermissionPolicy,
          kubernetesPlugin,
          kubernetesModuleClusterRegistry,
          // The real events service: the registry's changes reach the module's list.
          eventsServiceFactory,
          mcpActionsPlugin,
          actionsServiceFactory,
          actionsRegistryServiceFactory,
          permissionsServiceFactory,
          authWithActors,
          userInfoFromGroups,
          mockServices.database.factory({ knex }),
          // Hands the test the registry client other plugins get.
          createBackendPlugin({
            pluginId: 'probe',
            register(reg) {
              reg.registerInit({
                deps: { client: clusterRegistryServiceRef },
                async init({ client }) {
                  registry = client;
                },
              });
            },
          }),
          mockServices.rootConfig.factory({
            data: {
              app: { baseUrl: 'http://portal.example' },
              backend: { actions: { pluginSources: ['cluster-registry'] } },
              permission: {
                enabled: true,
                admins: ['group:default/platform'],
                ownersEdit: true,
                clusterScopes: [
                  { members: ['group:default/qa'], categories: ['qa'] },
                ],
              },
              clusterRegistry: {
                encryptionKey: crypto.randomBytes(32).toString('base64'),
                healthCheck: { intervalSeconds: 3600 },
              },
              kubernetes: {
                serviceLocatorMethod: { type: 'multiTenant' },
                clusterLocatorMethods: [{ type: 'config', clusters: [] }],
              },
            },
          }),
        ],
      }));

      // The admin registers 25 clusters: 12 qa (one of them isolated),
      // 10 prod, 3 dev; bob owns one of the dev clusters.
      const register = async (body: {
        name: string;
        [key: string]: unknown;
      }) => {
        const res = await request(server)
          .post('/api/cluster-registry/clusters')
          .set('authorization', header('user:default/admin'))
          .send(body);
        if (res.status !== 201)
          throw new Error(`${body.name}: ${res.status} ${res.text}`);
      };
      const endpoint = (i: number) => ({
        serverUrl: `https://127.0.0.1:${16000 + i}`,
        auth: { type: 'bearerToken', token: `token-${i}` },
        skipVerification: true,
      });
      let i = 0;
      for (let n = 0; n < 11; n++)
        await register({ name: `qa-${n}`, category: 'qa', ...endpoint(i++) });
      await register({ name: 'qa-air', category: 'qa', isolated: true });
      for (let n = 0; n < 10; n++)
        await register({
          name: `prod-${n}`,
          category: 'prod',
          ...endpoint(i++),
        });
      await register({ name: 'dev-0', category: 'dev', ...endpoint(i++) });
      await register({ name: 'dev-1', category: 'dev', ...endpoint(i++) });
      await register({
        name: 'dev-bob',
        category: 'dev',
        owner: 'user:bob',
        ...endpoint(i++),
      });
    });

    const as = (ref: string) => ({
      get: (path: string) =>
        request(server).get(path).set('authorization', header(ref)),
      patch: (path: string, body: object) =>
        request(server)
          .patch(path)
          .set('authorization', header(ref))
          .send(body),
      post: (path: string, body: object) =>
        request(server).post(path).set('authorization', header(ref)).send(body),
      delete: (path: string) =>
        request(server).delete(path).set('authorization', header(ref)),
    });

    it('shows a qa member only qa clusters through REST, pages and totals included', async () => {
      const names: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const res = await as('user:default/ann').get(
          `/api/cluster-registry/clusters?limit=5${
            cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
          }`,
        );
        expect(res.status).toBe(200);
        expect(res.body.totalCount).toBe(12);
        names.push(...res.body.items.map((c: any) => c.name));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(names).toHaveLength(12);
      expect(names.every(n => n.startsWith('qa-'))).toBe(true);
      // Asking for prod is an empty page, not somebody else's clusters.
      const prod = await as('user:default/ann').get(
        '/api/cluster-registry/clusters?category=prod',
      );
      expect(prod.body).toMatchObject({ items: [], totalCount: 0 });
      // The admin and everyone else see all 25.
      for (const ref of ['user:default/admin', 'user:default/bob'])
        expect(
          (await as(ref).get('/api/cluster-registry/clusters')).body.totalCount,
        ).toBe(25);
      // A cluster outside the scope does not exist for her; trends skip it.
      expect(
        (
          await as('user:default/ann').get(
            '/api/cluster-registry/clusters/prod-0',
          )
        ).status,
      ).toBe(404);
      const trends = await as('user:default/ann').get(
        '/api/cluster-registry/health-trends?cluster=qa-0&cluster=prod-0',
      );
      expect(trends.status).toBe(200);
      expect(trends.body.items.map((t: any) => t.cluster)).toEqual(['qa-0']);
    });

    it('lets a qa member edit, refresh and disconnect qa clusters and nothing else', async () => {
      const ann_ = as('user:default/ann');
      const edited = await ann_.patch('/api/cluster-registry/clusters/qa-1', {
        title: 'QA one',
        labels: { team: 'qa' },
      });
      expect(edited.status).toBe(200);
      expect(edited.body.updatedBy).toBe('user:default/ann');
      // Moving it into prod would take it out of her reach: refused, unchanged.
      const moved = await ann_.patch('/api/cluster-registry/clusters/qa-1', {
        category: 'prod',
      });
      expect(moved.status).toBe(403);
      expect(moved.body.error.message).toMatch(/in category prod/);
      expect(
        (
          await as('user:default/admin').get(
            '/api/cluster-registry/clusters/qa-1',
          )
        ).body.category,
      ).toBe('qa');
      // Where its stored credential goes (TLS trust, connection) is the
      // admins': refused before anything is dialled, unchanged.
      for (const change of [
        { tls: { insecureSkipTlsVerify: true } },
        {
          connection: { method: 'proxy', proxyUrl: 'http://10.0.0.9:3128' },
          skipVerification: true,
        },
      ]) {
        const redirected = await ann_.patch(
          '/api/cluster-registry/clusters/qa-1',
          change,
        );
        expect(redirected.status).toBe(403);
        expect(redirected.body.error.message).toMatch(
          /cluster-registry\.cluster\.connection\.update on cluster qa-1: its (TLS trust|connection) decides where its stored credential is sent/,
        );
      }
      // Trusting a bastion's new host key is the same decision.
      const trusted = await ann_.post(
        '/api/cluster-registry/clusters/qa-1/ssh-host-key',
        { fingerprint: `SHA256:${'a'.repeat(43)}` },
      );
      expect(trusted.status).toBe(403);
      expect(trusted.body.error.message).toMatch(
        /connection\.update on cluster qa-1: its SSH host key decides/,
      );
      const unchanged = await as('user:default/admin').get(
        '/api/cluster-registry/clusters/qa-1',
      );
      expect(unchanged.body).toMatchObject({
        tls: { insecureSkipTlsVerify: false },
        connection: { method: 'direct' },
      });
      // Sending the same values back (as an edit form does) is no change.
      expect(
        (
          await ann_.patch('/api/cluster-registry/clusters/qa-1', {
            title: 'QA one',
            tls: unchanged.body.tls,
            connection: { method: 'direct' },
          })
        ).status,
      ).toBe(200);
      // An admin may.
      expect(
        (
          await as('user:default/admin').patch(
            '/api/cluster-registry/clusters/qa-2',
            { tls: { insecureSkipTlsVerify: true }, skipVerification: true },
          )
        ).status,
      ).toBe(200);
      for (const res of [
        await ann_.patch('/api/cluster-registry/clusters/prod-1', {
          title: 'mine now',
        }),
        await ann_.delete('/api/cluster-registry/clusters/prod-1'),
        await ann_.post('/api/cluster-registry/clusters/prod-1/refresh', {}),
      ])
        expect(res.status).toBe(404);
      expect(
        (await ann_.delete('/api/cluster-registry/clusters/qa-10')).status,
      ).toBe(204);
      // Registering: into qa yes, into prod or without a category no.
      expect(
        (
          await ann_.post('/api/cluster-registry/clusters', {
            name: 'qa-new',
            category: 'qa',
            isolated: true,
          })
        ).status,
      ).toBe(201);
      for (const category of ['prod', undefined]) {
        const res = await ann_.post('/api/cluster-registry/clusters', {
          name: 'sneaky',
          category,
          isolated: true,
        });
        expect(res.status).toBe(403);
      }
      // Categories stay the admins'.
      expect(
        (
          await ann_.post('/api/cluster-registry/categories', {
            name: 'mine',
          })
        ).status,
      ).toBe(403);
    });

    it('lets an ordinary user read everything and edit only what they own', async () => {
      const bob = as('user:default/bob');
      expect(
        (
          await bob.patch('/api/cluster-registry/clusters/dev-bob', {
            title: 'Bob’s',
          })
        ).status,
      ).toBe(200);
      // He may read dev-0, so not editing it is a 403, not a 404.
      expect(
        (
          await bob.patch('/api/cluster-registry/clusters/dev-0', {
            title: 'x',
          })
        ).status,
      ).toBe(403);
      expect(
        (await bob.delete('/api/cluster-registry/clusters/dev-bob')).status,
      ).toBe(403);
      // Giving his cluster away would leave him unable to manage it.
      expect(
        (
          await bob.patch('/api/cluster-registry/clusters/dev-bob', {
            owner: 'group:default/qa',
          })
        ).status,
      ).toBe(403);
    });

    it('answers the permission backend about one cluster (the frontend’s usePermission)', async () => {
      // The browser asks the permission backend with a resourceRef; it asks
      // the registry's apply-conditions endpoint about that cluster.
      const ask = async (ref: string, resourceRef: string) =>
        (
          await as(ref).post('/api/permission/authorize', {
            items: [
              {
                id: '1',
                resourceRef,
                permission: {
                  type: 'resource',
                  name: 'cluster-registry.cluster.update',
                  attributes: { action: 'update' },
                  resourceType: 'cluster-registry-cluster',
                },
              },
            ],
          })
        ).body.items[0].result;
      expect(await ask('user:default/ann', 'qa-2')).toBe('ALLOW');
      expect(await ask('user:default/ann', 'prod-2')).toBe('DENY');
      expect(await ask('user:default/bob', 'dev-bob')).toBe('ALLOW');
      expect(await ask('user:default/bob', 'dev-1')).toBe('DENY');
    });

    it('supplies the Kubernetes plugin only the clusters its user may read', async () => {
      const supplied = async (ref: string) =>
        (await as(ref).get('/api/kubernetes/clusters')).body.items.map(
          (c: any) => c.name,
        );
      const annSees = await supplied('user:default/ann');
      expect(annSees.length).toBeGreaterThan(0);
      expect(annSees.every((n: string) => n.startsWith('qa-'))).toBe(true);
      expect(annSees).not.toContain('qa-air'); // isolated: nothing to dial
      expect(await supplied('user:default/admin')).toContain('prod-0');
    });

    it('applies the same decisions to the scaffolder action and the MCP tools', async () => {
      // The scaffolder step runs with the task initiator's credentials.
      const action = createRegisterClusterAction({
        registry,
        appBaseUrl: 'http://portal.example',
      });
      const run = (input: Record<string, unknown>) =>
        action.handler({
          ...createMockActionContext({ input: input as any }),
          getInitiatorCredentials: async () => ann,
        } as any);
      await run({ method: 'isolated', name: 'qa-scaffolded', category: 'qa' });
      await expect(
        run({ method: 'isolated', name: 'prod-scaffolded', category: 'prod' }),
      ).rejects.toThrow(/not allowed/);

      const { port } = server.address() as AddressInfo;
      const client = new Client({ name: 'least-privilege', version: '1' });
      await client.connect(
        new StreamableHTTPClientTransport(
          new URL(`http://localhost:${port}/api/mcp-actions/v1`),
          {
            requestInit: {
              headers: { authorization: header('user:default/ann') },
            },
          },
        ),
      );
      const { tools } = await client.listTools();
      const call = async (tool: string, args: Record<string, unknown>) => {
        const name = tools.map(t => t.name).find(n => n.endsWith(tool))!;
        const result: any = await client.callTool({ name, arguments: args });
        const text = result.content?.find((c: any) => c.type === 'text')?.text;
        return { error: Boolean(result.isError), text: String(text) };
      };
      const listed = await call('list-clusters', {});
      expect(listed.error).toBe(false);
      const body = JSON.parse(listed.text);
      expect(body.totalCount).toBe(13); // 12 - qa-10 + qa-new + qa-scaffolded
      expect(body.clusters.every((c: any) => c.name.startsWith('qa-'))).toBe(
        true,
      );
      expect((await call('get-cluster', { name: 'prod-3' })).error).toBe(true);
      expect(
        (
          await call('assign-cluster-category', {
            name: 'prod-3',
            category: 'qa',
          })
        ).error,
      ).toBe(true);
      expect(
        (
          await call('register-cluster', {
            name: 'mcp-prod',
            isolated: true,
            category: 'prod',
          })
        ).error,
      ).toBe(true);
      const mine = await call('register-cluster', {
        name: 'qa-mcp',
        isolated: true,
        category: 'qa',
      });
      expect(mine.error).toBe(false);
      await client.close();
    });
  },
);
