import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import crypto from 'node:crypto';
import path from 'node:path';
import { certificateValidUntil } from '../__testUtils__/certificates';
import { SecretBox } from '../secrets/SecretBox';
import { DatabaseClusterStore } from './DatabaseClusterStore';
import { NewClusterRecord } from './types';
import {
  AuthorizeResult,
  PermissionCriteria,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  createConditionTransformer,
} from '@backstage/plugin-permission-node';
import { CLUSTER_RESOURCE_TYPE } from '@cluster-registry/plugin-cluster-registry-common';
import { clusterPermissionRuleset } from '@cluster-registry/plugin-cluster-registry-node';

jest.setTimeout(60_000);

/** One migration's module, to run its `up` over rows a test wrote. */
function migration(
  directory: string,
  file: string,
): { up(knex: unknown): Promise<void> } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(directory, file));
}

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const box = SecretBox.fromKey(crypto.randomBytes(32));

function record(
  name: string,
  overrides: Partial<NewClusterRecord> = {},
): NewClusterRecord {
  const now = new Date().toISOString();
  return {
    name,
    title: name.toUpperCase(),
    labels: { region: 'eu' },
    isolated: false,
    serverUrl: `https://${name}.example:6443`,
    auth: { type: 'bearerToken' },
    tls: { insecureSkipTlsVerify: false },
    connection: { method: 'direct' },
    secrets: { token: `token-of-${name}` },
    origin: { type: 'registered' },
    status: { state: 'running', kubernetesVersion: 'v1.36.3', nodeCount: 3 },
    createdAt: now,
    updatedAt: now,
    createdBy: 'user:default/guest',
    updatedBy: 'user:default/guest',
    ...overrides,
  };
}

describe.each(databases.eachSupportedId())(
  'DatabaseClusterStore on %p',
  databaseId => {
    async function createStore() {
      const knex = await databases.init(databaseId);
      const store = await DatabaseClusterStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
        secrets: box,
      });
      return { knex, store };
    }

    it('ships the default categories and stores secrets only encrypted', async () => {
      const { knex, store } = await createStore();
      expect((await store.listCategories()).map(c => c.name)).toEqual([
        'dev',
        'prod',
        'qa',
        'staging',
      ]);

      await store.createCluster(record('prod-eu-1', { category: 'prod' }));
      const row = await knex('clusters').where({ name: 'prod-eu-1' }).first();
      expect(JSON.stringify(row)).not.toContain('token-of-prod-eu-1');
      const loaded = await store.getCluster('prod-eu-1');
      expect(loaded).not.toHaveProperty('secrets');
      expect(loaded.secretKeys).toEqual(['token']);
      expect(
        (await store.getClusterWithSecrets('prod-eu-1')).secrets.token,
      ).toBe('token-of-prod-eu-1');
      expect(loaded).toMatchObject({
        category: 'prod',
        labels: { region: 'eu' },
        status: { state: 'running', nodeCount: 3 },
      });
    });

    it('refuses duplicates (also concurrent ones) and unknown categories without writing', async () => {
      const { store } = await createStore();
      const results = await Promise.allSettled([
        store.createCluster(record('dup')),
        store.createCluster(record('dup')),
      ]);
      expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.find(r => r.status === 'rejected')).toMatchObject({
        reason: { name: 'ConflictError' },
      });
      await expect(
        store.createCluster(record('x', { category: 'nope' })),
      ).rejects.toMatchObject({ name: 'InputError' });
      await expect(store.getCluster('x')).rejects.toMatchObject({
        name: 'NotFoundError',
      });
    });

    it('lists with category, state and text filters and cursor paging', async () => {
      const { store } = await createStore();
      for (let i = 0; i < 7; i++) {
        await store.createCluster(
          record(`c-${i}`, {
            category: i % 2 ? 'prod' : 'qa',
            status: { state: i < 5 ? 'running' : 'unreachable' },
            description: i === 3 ? 'The EU_Special one' : undefined,
          }),
        );
      }
      const prod = await store.listClusters({
        categories: ['prod'],
        limit: 50,
      });
      expect(prod.items.map(c => c.name)).toEqual(['c-1', 'c-3', 'c-5']);
      expect(prod.totalCount).toBe(3);
      const both = await store.listClusters({
        categories: ['prod', 'qa'],
        states: ['unreachable'],
        limit: 50,
      });
      expect(both.items.map(c => c.name)).toEqual(['c-5', 'c-6']);
      expect(
        (await store.listClusters({ q: 'eu_special', limit: 50 })).items.map(
          c => c.name,
        ),
      ).toEqual(['c-3']);
      expect((await store.listClusters({ q: '%', limit: 50 })).totalCount).toBe(
        0,
      );

      const first = await store.listClusters({ limit: 3 });
      expect(first.items.map(c => c.name)).toEqual(['c-0', 'c-1', 'c-2']);
      expect(first.totalCount).toBe(7);
      const second = await store.listClusters({
        limit: 3,
        cursor: first.nextCursor,
      });
      expect(second.items.map(c => c.name)).toEqual(['c-3', 'c-4', 'c-5']);
      const last = await store.listClusters({
        limit: 3,
        cursor: second.nextCursor,
      });
      expect(last.items.map(c => c.name)).toEqual(['c-6']);
      expect(last.nextCursor).toBeUndefined();
      await expect(
        store.listClusters({ limit: 3, cursor: 'garbage' }),
      ).rejects.toMatchObject({ name: 'InputError' });
    });

    it('updates fields and merges secrets', async () => {
      const { store } = await createStore();
      await store.createCluster(
        record('u', { secrets: { token: 't1', sshPassword: 'p' } }),
      );
      const updated = await store.updateCluster('u', {
        title: 'New title',
        category: 'dev',
        owner: 'group:default/platform',
        secrets: { token: 't2', sshPassword: undefined },
        updatedBy: 'user:default/admin',
      });
      expect(updated).toMatchObject({
        title: 'New title',
        category: 'dev',
        owner: 'group:default/platform',
        updatedBy: 'user:default/admin',
      });
      expect((await store.getClusterWithSecrets('u')).secrets).toEqual({
        token: 't2',
      });
      const cleared = await store.updateCluster('u', {
        category: null,
        owner: null,
        updatedBy: 'user:default/admin',
      });
      expect(cleared.category).toBeUndefined();
      expect(cleared.owner).toBeUndefined();
      await expect(
        store.updateCluster('missing', { updatedBy: 'x' }),
      ).rejects.toMatchObject({ name: 'NotFoundError' });
    });

    it('keeps the last 30 health checks, starting with the verification of a registration', async () => {
      const { store } = await createStore();
      const at = (minute: number) =>
        new Date(Date.UTC(2026, 11, 1, 0, minute)).toISOString();
      await store.createCluster(
        record('verified', { status: { state: 'running', checkedAt: at(0) } }),
      );
      await store.createCluster(
        record('unchecked', { status: { state: 'pending' } }),
      );
      const samples = async (name: string) =>
        (await store.listHealthSamples([name]))[0].samples;
      expect(await samples('verified')).toEqual([
        { at: at(0), state: 'running' },
      ]);
      expect(await samples('unchecked')).toEqual([]);

      // A re-verifying edit is a check; an edit without one is not.
      await store.updateCluster('verified', {
        status: { state: 'unauthorized', checkedAt: at(1) },
        updatedBy: 'x',
      });
      await store.updateCluster('verified', { title: 'T', updatedBy: 'x' });
      for (let minute = 2; minute < 40; minute++)
        await store.updateStatus(
          'verified',
          { state: 'running', checkedAt: at(minute) },
          minute,
        );
      const trend = await samples('verified');
      expect(trend).toHaveLength(30);
      expect(trend[0]).toEqual({ at: at(10), state: 'running', latencyMs: 10 });
      expect(trend.at(-1)).toEqual({
        at: at(39),
        state: 'running',
        latencyMs: 39,
      });
    });

    it('claims an expiry notice only from the notice it expects', async () => {
      const { store } = await createStore();
      await store.createCluster(record('n'));
      expect(await store.claimExpiryNotice('n', 'soon:x', undefined)).toBe(
        true,
      );
      // A second sweep that read "none" loses the race.
      expect(await store.claimExpiryNotice('n', 'soon:x', undefined)).toBe(
        false,
      );
      expect(await store.listExpiryNotices()).toEqual(
        new Map([['n', 'soon:x']]),
      );
      // Given back after a failed send.
      expect(await store.claimExpiryNotice('n', undefined, 'soon:x')).toBe(
        true,
      );
      expect(await store.listExpiryNotices()).toEqual(new Map());
    });

    it('protects categories in use unless reassigned or cleared in the same request', async () => {
      const { store } = await createStore();
      await store.createCluster(record('a', { category: 'qa' }));
      await store.createCluster(record('b', { category: 'qa' }));
      await expect(store.deleteCategory('qa')).rejects.toMatchObject({
        name: 'ConflictError',
        message: expect.stringContaining('a, b'),
      });
      await store.deleteCategory('qa', { reassignTo: 'dev' });
      expect((await store.getCluster('a')).category).toBe('dev');
      await store.deleteCategory('dev', { reassignTo: null });
      expect((await store.getCluster('b')).category).toBeUndefined();
      await expect(
        store.createCategory({ name: 'prod' }),
      ).rejects.toMatchObject({ name: 'ConflictError' });
      await expect(store.deleteCategory('nope')).rejects.toMatchObject({
        name: 'NotFoundError',
      });
    });

    it('gives clusters registered before expiry was read their client certificate’s expiry', async () => {
      const { knex, store } = await createStore();
      const notAfter = new Date('2027-03-01T00:00:00.000Z');
      await store.createCluster(
        record('old-cert', {
          auth: {
            type: 'clientCertificate',
            certData: await certificateValidUntil(notAfter),
          },
        }),
      );
      await store.createCluster(
        record('old-garbage', {
          auth: { type: 'clientCertificate', certData: 'bm90IGEgY2VydA==' },
        }),
      );
      const directory = resolvePackagePath(
        '@cluster-registry/plugin-cluster-registry-backend',
        'migrations',
      );
      // Run the backfill again over these rows.
      await migration(directory, '20261202000002_certificate_expiry.js').up(
        knex,
      );
      expect((await store.getCluster('old-cert')).auth).toMatchObject({
        expiresAt: notAfter.toISOString(),
      });
      expect((await store.getCluster('old-garbage')).auth).not.toHaveProperty(
        'expiresAt',
      );
    });

    it('stores owners written before the permission rules as full, lower-case references', async () => {
      const { knex, store } = await createStore();
      for (const [name, owner] of [
        ['short', 'Group:QA'],
        ['full', 'user:team-x/Ann'],
        ['done', 'group:default/platform'],
        ['none', undefined],
      ])
        await store.createCluster(record(name!, { owner }));
      // As an older version wrote them: not normalised.
      await knex('clusters')
        .where({ name: 'short' })
        .update({ owner: 'Group:QA' });
      await knex('clusters')
        .where({ name: 'full' })
        .update({ owner: 'user:team-x/Ann' });
      await migration(
        resolvePackagePath(
          '@cluster-registry/plugin-cluster-registry-backend',
          'migrations',
        ),
        '20261203000000_owner_refs.js',
      ).up(knex);
      expect(
        (await store.getClusters(['short', 'full', 'done', 'none'])).map(
          c => c?.owner,
        ),
      ).toEqual([
        'group:default/qa',
        'user:team-x/ann',
        'group:default/platform',
        undefined,
      ]);
    });

    it('filters lists, totals, trends and connections by a policy’s conditions exactly as the rules do in memory', async () => {
      const { store } = await createStore();
      const clusters = [
        record('qa-1', { category: 'qa', owner: 'group:default/qa' }),
        record('qa-2', { category: 'qa', labels: { team: 'qa', tier: 'b' } }),
        record('prod-1', {
          category: 'prod',
          labels: { team: 'qa', 'example.com/tier': 'gold' },
        }),
        record('prod-2', { category: 'prod', owner: 'user:default/ann' }),
        record('loose', { labels: {} }), // no category, owner or labels
      ];
      for (const c of clusters) await store.createCluster(c);
      const authorize = createConditionAuthorizer(clusterPermissionRuleset);
      const transform = createConditionTransformer(clusterPermissionRuleset);
      const cond = (rule: string, params: object) => ({
        rule,
        resourceType: CLUSTER_RESOURCE_TYPE,
        params,
      });
      const inQa = cond('IS_IN_CATEGORY', { categories: ['qa'] });
      const owned = cond('IS_CLUSTER_OWNER', {
        claims: ['user:default/ann', 'Group:default/QA'],
      });
      const gold = cond('HAS_LABEL', {
        label: 'example.com/tier',
        value: 'gold',
      });
      const team = cond('HAS_LABEL', { label: 'team' });
      const cases: Array<PermissionCriteria<any>> = [
        inQa,
        owned,
        gold,
        team,
        { not: inQa },
        { not: owned }, // a cluster without owner is not owned: kept
        { not: team },
        { anyOf: [inQa, owned] },
        { allOf: [team, { not: inQa }] },
        { anyOf: [gold, { allOf: [inQa, { not: owned }] }] },
        cond('IS_IN_CATEGORY', { categories: [] }),
        cond('HAS_LABEL', { label: 'bad"key' }),
      ];
      for (const conditions of cases) {
        const decision = {
          result: AuthorizeResult.CONDITIONAL,
          pluginId: 'cluster-registry',
          resourceType: CLUSTER_RESOURCE_TYPE,
          conditions,
        } as const;
        const expected = clusters
          .filter(c => authorize(decision, { ...c, labels: c.labels }))
          .map(c => c.name)
          .sort();
        const permitted = transform(conditions);
        const page = await store.listClusters({ limit: 2, permitted });
        const all = await store.listClusters({ limit: 100, permitted });
        expect({ conditions, names: all.items.map(c => c.name) }).toEqual({
          conditions,
          names: expected,
        });
        expect(page.totalCount).toBe(expected.length);
        expect(page.items.length).toBe(Math.min(2, expected.length));
        expect(
          (await store.listAllClustersWithSecrets({ permitted })).map(
            c => c.name,
          ),
        ).toEqual(expected);
        expect(
          (
            await store.listHealthSamples(
              clusters.map(c => c.name),
              permitted,
            )
          ).map(t => t.cluster),
        ).toEqual(expected);
      }
      // Owners are stored as the catalog writes claims.
      expect(
        (await store.getClusters(['qa-1', 'nope', 'prod-2'])).map(
          c => c?.owner,
        ),
      ).toEqual(['group:default/qa', undefined, 'user:default/ann']);
    });

    it('runs every migration down and up again', async () => {
      const { knex } = await createStore();
      const directory = resolvePackagePath(
        '@cluster-registry/plugin-cluster-registry-backend',
        'migrations',
      );
      await knex.migrate.rollback({ directory }, true);
      expect(await knex.schema.hasTable('clusters')).toBe(false);
      expect(await knex.schema.hasTable('categories')).toBe(false);
      await knex.migrate.latest({ directory });
      expect(await knex.schema.hasTable('clusters')).toBe(true);
    });
  },
);
