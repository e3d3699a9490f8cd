import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import crypto from 'node:crypto';
import fs from 'node:fs';
import knexFactory from 'knex';
import { clusterRegistryPlugin } from '../src/plugin';
async function main() {
  fs.rmSync('/tmp/wrkx/b.sqlite', { force: true });
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: '/tmp/wrkx/b.sqlite' },
    useNullAsDefault: true,
  });
  const backend = await startTestBackend({
    features: [
      clusterRegistryPlugin,
      mockServices.database.factory({ knex, migrations: { skip: false } }),
      mockServices.rootConfig.factory({
        data: {
          clusterRegistry: {
            encryptionKey: crypto.randomBytes(32).toString('base64'),
            healthCheck: { intervalSeconds: 86400 },
          },
        },
      }),
    ],
  });
  const port = backend.server.port();
  const base = `http://127.0.0.1:${port}/api/cluster-registry`;
  const N = 2000;
  for (let i = 0; i < N; i += 50) {
    await Promise.all(
      Array.from({ length: 50 }, (_, j) =>
        fetch(`${base}/clusters`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            name: `cluster-${String(i + j).padStart(5, '0')}`,
            title: 'x',
            category: ['prod', 'staging', 'qa', 'dev'][(i + j) % 4],
            labels: { region: 'eu' },
            serverUrl: `https://c${i + j}.example:6443`,
            auth: { type: 'bearerToken', token: 't' },
            skipVerification: true,
          }),
        }),
      ),
    );
  }
  const run = async (name: string, paths: string[]) => {
    fs.writeFileSync('/tmp/wrkx/p.txt', paths.join('\n'));
    const { stdout: out } = await promisify(execFile)(
      'wrk',
      [
        '-t1',
        '-c20',
        '-d5s',
        '-s',
        '/tmp/wrkx/paths.lua',
        `http://127.0.0.1:${port}`,
        '--',
        '/tmp/wrkx/p.txt',
      ],
      { encoding: 'utf8' },
    );
    console.log(
      name,
      out.split('\n').find(l => l.startsWith('RESULT')),
    );
  };
  const await_ = (s: string) => s;
  for (let k = 0; k < 2; k++) {
    await run('floor', ['/.backstage/health/v1/liveness']);
    await run(
      'get',
      Array.from(
        { length: 500 },
        (_, i) =>
          `/api/cluster-registry/clusters/cluster-${String(
            (i * 7919) % N,
          ).padStart(5, '0')}`,
      ),
    );
    await run(
      'list',
      ['prod', 'staging', 'qa', 'dev'].map(
        c => `/api/cluster-registry/clusters?category=${c}&limit=50`,
      ),
    );
  }
  await backend.stop();
  process.exit(0);
}
main();
