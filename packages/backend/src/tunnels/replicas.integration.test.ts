import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import clusterRegistryPlugin from '@cluster-registry/plugin-cluster-registry-backend';
import {
  acquireTestEnv,
  b64,
  KubeApiServerEnv,
  RunningTestEnv,
  startSshd,
} from '@internal/cluster-registry-test-env';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';

jest.setTimeout(120_000);

/**
 * Two backend replicas on one PostgreSQL database, as in a scaled-out
 * portal, and a cluster reached through an SSH bastion: each replica opens
 * its own SSH connection (sshd logs a login per replica), and nothing of a
 * tunnel (no loopback address) is stored in the shared rows. The bastion is
 * an sshd of this test's own, so that its log counts only this test's
 * logins (the environment's bastion serves suites running meanwhile).
 */
describe('tunnelled clusters with several backend replicas', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
  let running: RunningTestEnv;
  let api: KubeApiServerEnv;
  let sshd: Awaited<ReturnType<typeof startSshd>>;
  let stateDir: string;
  const replicas: any[] = [];
  let knex: Awaited<ReturnType<typeof databases.init>>;

  const logins = () =>
    fs
      .readFileSync(sshd.env.logFile, 'utf8')
      .split('\n')
      .filter(l => l.includes(`Accepted password for ${sshd.env.username}`))
      .length;

  beforeAll(async () => {
    running = await acquireTestEnv({ kubeApiServers: 1 });
    api = running.env.kubeApiServers[0];
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'replicas-'));
    sshd = await startSshd(stateDir, { name: 'replicas-sshd' });
    knex = await databases.init('POSTGRES_15');
    const encryptionKey = crypto.randomBytes(32).toString('base64');
    for (let i = 0; i < 2; i++) {
      const { server } = await startTestBackend({
        features: [
          clusterRegistryPlugin,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              app: { baseUrl: 'http://portal.example' },
              clusterRegistry: {
                encryptionKey,
                healthCheck: { intervalSeconds: 3600 },
                tunnels: { connectTimeoutMs: 5000 },
              },
            },
          }),
        ],
      });
      replicas.push(server);
    }
  });

  afterAll(async () => {
    await sshd?.stop();
    await running?.stop();
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('opens its own SSH connection on each replica and stores no loopback address', async () => {
    const [a, b] = replicas;
    const before = logins();
    await request(a)
      .post('/api/cluster-registry/clusters')
      .send({
        name: 'replicated-ssh',
        serverUrl: api.serverUrl,
        auth: { type: 'bearerToken', token: api.adminToken },
        tls: { caData: b64(api.caData) },
        connection: {
          method: 'sshTunnel',
          sshTunnel: {
            host: sshd.env.host,
            port: sshd.env.port,
            username: sshd.env.username,
            password: sshd.env.password,
          },
        },
      })
      .expect(201);
    // The registration's verification ran on a connection of its own (the
    // key was not pinned yet). From here on each replica pools one.
    const refresh = async (replica: any) => {
      const res = await request(replica)
        .post('/api/cluster-registry/clusters/replicated-ssh/refresh')
        .expect(200);
      expect(res.body.status.state).toBe('running');
      await new Promise(r => setTimeout(r, 200));
      return logins();
    };
    const registered = logins();
    expect(registered).toBeGreaterThan(before);
    expect(await refresh(a)).toBe(registered + 1);
    // The other replica reads the row A wrote and reaches the cluster
    // through an SSH connection of its own.
    expect(await refresh(b)).toBe(registered + 2);
    // Each keeps its own: no more logins.
    expect(await refresh(a)).toBe(registered + 2);
    expect(await refresh(b)).toBe(registered + 2);

    const rows = await knex('clusters').where({ name: 'replicated-ssh' });
    expect(rows).toHaveLength(1);
    // The API server and the bastion are on loopback here: the only
    // loopback URL stored is the API server's own, no bridge's.
    const urls = JSON.stringify(rows).match(/https?:\/\/127\.0\.0\.1:\d+/g);
    expect(new Set(urls)).toEqual(new Set([api.serverUrl]));
    expect(JSON.stringify(rows)).not.toContain(sshd.env.password);
  });
});
