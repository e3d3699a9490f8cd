import { DatabaseManager } from '@backstage/backend-defaults/database';
import { mockServices } from '@backstage/backend-test-utils';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DatabaseClusterStore } from '../database/DatabaseClusterStore';
import { NewClusterRecord } from '../database/types';
import { SecretBox } from '../secrets/SecretBox';

jest.setTimeout(120_000);

const key = () => crypto.randomBytes(32).toString('base64');

async function openStore(
  dir: string,
  current: string,
  previous: string[] = [],
) {
  const config = mockServices.rootConfig({
    data: {
      backend: {
        database: { client: 'better-sqlite3', connection: { directory: dir } },
      },
    },
  });
  const database = DatabaseManager.fromConfig(config).forPlugin(
    'cluster-registry',
    {
      logger: mockServices.logger.mock(),
      lifecycle: mockServices.lifecycle.mock(),
    },
  );
  const box = SecretBox.fromKey(
    Buffer.from(current, 'base64'),
    previous.map(p => Buffer.from(p, 'base64')),
  );
  const store = await DatabaseClusterStore.create({ database, secrets: box });
  return { store, knex: await database.getClient() };
}

/** A stored bearer-token cluster with the given token. */
function storedCluster(name: string, token: string): NewClusterRecord {
  const now = new Date().toISOString();
  return {
    name,
    title: name,
    labels: {},
    isolated: false,
    serverUrl: 'https://127.0.0.1:6443',
    auth: { type: 'bearerToken' },
    tls: { insecureSkipTlsVerify: false },
    connection: { method: 'direct' },
    secrets: { token },
    origin: { type: 'registered' },
    status: { state: 'pending' },
    createdAt: now,
    updatedAt: now,
    createdBy: 'test',
    updatedBy: 'test',
  };
}

describe('reencrypt-secrets', () => {
  it('rewrites every secret under the new key, after which the old key is not needed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reencrypt-'));
    const [oldKey, newKey] = [key(), key()];
    const before = await openStore(dir, oldKey);
    for (const name of ['a', 'b']) {
      await before.store.createCluster(storedCluster(name, `token-of-${name}`));
    }
    await before.knex.destroy();

    const configFile = path.join(dir, 'app-config.yaml');
    fs.writeFileSync(
      configFile,
      [
        'backend:',
        '  database:',
        '    client: better-sqlite3',
        `    connection: { directory: ${JSON.stringify(dir)} }`,
        'clusterRegistry:',
        `  encryptionKey: ${newKey}`,
        `  previousEncryptionKeys: [${oldKey}]`,
      ].join('\n'),
    );
    // The documented command, as a separate process.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        path.resolve(__dirname, 'reencryptSecrets.ts'),
        '--config',
        configFile,
      ],
      { cwd: dir, env: { ...process.env, NODE_ENV: 'production' } },
    );
    expect(stdout).toMatch(/re-encrypted 2 of 2 clusters' secrets/);

    // Only the new key now: everything still decrypts.
    const after = await openStore(dir, newKey);
    expect((await after.store.getClusterWithSecrets('a')).secrets.token).toBe(
      'token-of-a',
    );
    expect((await after.store.getClusterWithSecrets('b')).secrets.token).toBe(
      'token-of-b',
    );
    const rows = await after.knex('clusters').select('secrets');
    for (const row of rows) expect(row.secrets).not.toContain('token-of');
    // A second run has nothing left to do.
    expect(await after.store.reencryptSecrets()).toEqual({
      checked: 2,
      rewritten: 0,
      stale: 0,
    });
    await after.knex.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads secrets only when asked, and keeps them out of JSON.stringify and enumeration even then', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reencrypt-'));
    const { store, knex } = await openStore(dir, key());
    await store.createCluster(storedCluster('c', 'never-enumerated'));
    const plain = await store.getCluster('c');
    expect(plain).not.toHaveProperty('secrets');
    expect(plain.secretKeys).toEqual(['token']);
    const record = await store.getClusterWithSecrets('c');
    expect(JSON.stringify(record)).not.toContain('never-enumerated');
    expect(Object.keys(record)).not.toContain('secrets');
    expect(JSON.stringify({ ...record })).not.toContain('never-enumerated');
    expect(record.secrets.token).toBe('never-enumerated');
    await knex.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('names the secrets of rows written before secret_keys existed, and leaves out a row no key can open instead of failing them all', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reencrypt-'));
    const [theKey, lostKey] = [key(), key()];
    const first = await openStore(dir, theKey);
    await first.store.createCluster(storedCluster('legacy', 't1'));
    await first.knex('clusters').update({ secret_keys: null });
    await first.knex.destroy();
    const lost = await openStore(dir, lostKey);
    await lost.store.createCluster(storedCluster('unreadable', 't2'));
    await lost.knex.destroy();

    const { store, knex } = await openStore(dir, theKey);
    expect((await store.getCluster('legacy')).secretKeys).toEqual(['token']);
    const unreadable: string[] = [];
    const all = await store.listAllClustersWithSecrets({
      onUnreadable: name => unreadable.push(name),
    });
    expect(all.map(c => c.name)).toEqual(['legacy']);
    expect(unreadable).toEqual(['unreadable']);
    await knex.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
