import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import clusterRegistryPlugin from '@cluster-registry/plugin-cluster-registry-backend';
import crypto from 'node:crypto';
import request from 'supertest';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/**
 * Fifty registrations of one name at once: exactly one is created, the
 * others are told the name is taken (409), none is a 500, and one row
 * exists. The database's unique key decides, not a read before the write.
 */
describe.each(databases.eachSupportedId())(
  'fifty concurrent registrations of one name, on %p',
  databaseId => {
    let server: any;
    let knex: Awaited<ReturnType<typeof databases.init>>;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      ({ server } = await startTestBackend({
        features: [
          clusterRegistryPlugin,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              app: { baseUrl: 'http://portal.example' },
              clusterRegistry: {
                encryptionKey: crypto.randomBytes(32).toString('base64'),
                healthCheck: { intervalSeconds: 3600 },
              },
            },
          }),
        ],
      }));
    });

    it('creates one, answers 409 to the other 49, and stores one row', async () => {
      const statuses = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          request(server)
            .post('/api/cluster-registry/clusters')
            .send({
              name: 'contended',
              title: `attempt ${i}`,
              isolated: true,
            })
            .then(res => res.status),
        ),
      );
      const counts = statuses.reduce<Record<number, number>>(
        (acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }),
        {},
      );
      expect(counts).toEqual({ 201: 1, 409: 49 });
      const rows = await knex('clusters').where({ name: 'contended' });
      expect(rows).toHaveLength(1);
    });

    it('creates fifty different names at once, all of them', async () => {
      const statuses = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          request(server)
            .post('/api/cluster-registry/clusters')
            .send({ name: `parallel-${i}`, isolated: true })
            .then(res => res.status),
        ),
      );
      expect(new Set(statuses)).toEqual(new Set([201]));
      const listed = await request(server).get(
        '/api/cluster-registry/clusters?q=parallel-&limit=100',
      );
      expect(listed.body.totalCount).toBe(50);
    });
  },
);
