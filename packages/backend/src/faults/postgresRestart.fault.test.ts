import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import clusterRegistryPlugin from '@cluster-registry/plugin-cluster-registry-backend';
import { startPostgres } from '@internal/cluster-registry-test-env';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';

jest.setTimeout(180_000);

/**
 * PostgreSQL crashes (SIGKILL of the server and its backends) while the
 * registry writes, and comes back after a second: the backend, with
 * Backstage's own database service and pool, recovers without a restart,
 * and every registration it acknowledged (201) is there. PostgreSQL runs
 * durable here (fsync, synchronous commit), as in production.
 */
describe('PostgreSQL restarted under write load', () => {
  let stateDir: string;
  let pg: Awaited<ReturnType<typeof startPostgres>>;
  let server: any;

  beforeAll(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-fault-'));
    fs.chmodSync(stateDir, 0o755); // postgres runs as its own user
    pg = await startPostgres(stateDir, { name: 'pg-fault', durable: true });
    ({ server } = await startTestBackend({
      features: [
        clusterRegistryPlugin,
        databaseServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://portal.example' },
            backend: {
              database: {
                client: 'pg',
                connection: {
                  host: pg.env.host,
                  port: pg.env.port,
                  user: pg.env.user,
                  password: pg.env.password,
                },
              },
            },
            clusterRegistry: {
              encryptionKey: crypto.randomBytes(32).toString('base64'),
              healthCheck: { intervalSeconds: 3600 },
            },
          },
        }),
      ],
    }));
  });

  afterAll(async () => {
    await pg?.stop();
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('answers again without a backend restart, and keeps every acknowledged write', async () => {
    const acknowledged: string[] = [];
    const failures: number[] = [];
    let writing = true;
    let n = 0;
    const writer = async () => {
      while (writing) {
        const name = `load-${n++}`;
        const res = await request(server)
          .post('/api/cluster-registry/clusters')
          .send({ name, isolated: true, labels: { run: 'fault' } })
          .catch(() => undefined);
        if (res?.status === 201) acknowledged.push(name);
        else failures.push(res?.status ?? 0);
      }
    };
    const writers = Array.from({ length: 8 }, writer);
    await new Promise(r => setTimeout(r, 1500));
    const before = acknowledged.length;
    expect(before).toBeGreaterThan(0);

    await pg.crashAndRestart(1000);

    // Written again within 30 s of PostgreSQL being back.
    const deadline = Date.now() + 30_000;
    const resumedFrom = acknowledged.length;
    while (acknowledged.length < resumedFrom + 20 && Date.now() < deadline)
      await new Promise(r => setTimeout(r, 100));
    writing = false;
    await Promise.all(writers);
    expect(acknowledged.length).toBeGreaterThanOrEqual(resumedFrom + 20);

    // Every acknowledged registration is there, read through the API.
    const names = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await request(server).get(
        `/api/cluster-registry/clusters?limit=500${
          cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
        }`,
      );
      expect(page.status).toBe(200);
      for (const c of page.body.items) names.add(c.name);
      cursor = page.body.nextCursor;
    } while (cursor);
    const missing = acknowledged.filter(name => !names.has(name));
    expect(missing).toEqual([]);
    // The writes the outage hit were told to try again (503), never a 500.
    expect(failures.filter(s => s !== 503)).toEqual([]);
    process.stdout.write(
      `postgres fault: ${
        acknowledged.length
      } acknowledged (${before} before the crash), ${
        failures.length
      } refused during the outage (${[...new Set(failures)].join(', ')})\n`,
    );
  });
});
