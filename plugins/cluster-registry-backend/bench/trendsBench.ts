/*
 * Benchmark of the list page's health trends (issue #15: "the list page's
 * trends for 100 clusters answer within 1 s"):
 *
 *   - register 100 clusters against a real kube-apiserver (verified)
 *   - 30 real health checks each (POST /clusters/{name}/refresh), so every
 *     cluster has a full trend
 *   - GET /health-trends?cluster=… with the 100 names, as the list page asks,
 *     against the same route for 100 names that have no samples (the same
 *     work without data) and Backstage's liveness route (the HTTP floor),
 *     measured in the same run with wrk
 *
 * on a SQLite file in a test backend with the real plugin. Run:
 *
 *   yarn workspace @cluster-registry/plugin-cluster-registry-backend bench:trends
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { startTestEnv, b64 } from '@internal/cluster-registry-test-env';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { clusterRegistryPlugin } from '../src/plugin';
import { Latencies, measure } from '@internal/cluster-registry-test-env';

const CLUSTERS = 100;
const CHECKS = 30;
const CONCURRENCY = 10;

async function inParallel<T>(items: T[], run: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await run(items[next++]);
    }),
  );
}

async function main() {
  const env = await startTestEnv({ kubeApiServers: 1 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trends-bench-'));
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(dir, 'registry.sqlite') },
    useNullAsDefault: true,
  });
  try {
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
    const origin = `http://127.0.0.1:${backend.server.port()}`;
    const base = `${origin}/api/cluster-registry`;
    const api = env.env.kubeApiServers[0];
    const names = Array.from(
      { length: CLUSTERS },
      (_, i) => `trend-${String(i).padStart(3, '0')}`,
    );
    const post = async (url: string, body: object, status: number) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status !== status)
        throw new Error(`${url}: ${res.status} ${await res.text()}`);
    };
    let started = Date.now();
    await inParallel(names, name =>
      post(
        `${base}/clusters`,
        {
          name,
          serverUrl: api.serverUrl,
          auth: { type: 'bearerToken', token: api.readOnlyToken },
          tls: { caData: b64(api.caData) },
        },
        201,
      ),
    );
    process.stderr.write(
      `registered ${CLUSTERS} clusters (verified) in ${
        Date.now() - started
      } ms\n`,
    );
    started = Date.now();
    const checks = names.flatMap(name => Array(CHECKS).fill(name));
    await inParallel(checks, name =>
      post(`${base}/clusters/${name}/refresh`, {}, 200),
    );
    process.stderr.write(
      `${checks.length} health checks in ${Date.now() - started} ms\n`,
    );

    const query = (list: string[]) =>
      `/api/cluster-registry/health-trends?${list
        .map(n => `cluster=${n}`)
        .join('&')}`;
    const check = await (await fetch(`${origin}${query(names)}`)).json();
    const samples = check.items.reduce(
      (n: number, i: { samples: unknown[] }) => n + i.samples.length,
      0,
    );
    if (check.items.length !== CLUSTERS || samples !== CLUSTERS * CHECKS)
      throw new Error(`expected ${CLUSTERS * CHECKS} samples, got ${samples}`);

    const floor = await measure('trends-floor', origin, [
      '/.backstage/health/v1/liveness',
    ]);
    const empty = await measure('trends-empty', origin, [
      query(names.map(n => `none-${n}`)),
    ]);
    const trends = await measure('trends', origin, [query(names)]);
    const row = (label: string, l: Latencies) =>
      `| ${label} | ${l.p50.toFixed(1)} / ${l.p95.toFixed(1)} | ${(
        l.requests / 10
      ).toFixed(0)}/s | ${(l.p95 / empty.p95).toFixed(2)}× | ${(
        l.p95 / floor.p95
      ).toFixed(2)}× |`;
    process.stdout.write(
      [
        '',
        `health trends of ${CLUSTERS} clusters, ${CHECKS} samples each (SQLite file, 20 clients, 10 s):`,
        '',
        '| route | p50 / p95 ms | rate | p95 ÷ same route without data | p95 ÷ liveness |',
        '| --- | --- | --- | --- | --- |',
        row(`GET /health-trends, ${CLUSTERS} names`, trends),
        row(`GET /health-trends, ${CLUSTERS} names without samples`, empty),
        row('GET /.backstage/health/v1/liveness', floor),
        '',
        `target: answers within 1 s: p95 ${trends.p95.toFixed(1)} ms ${
          trends.p95 <= 1000 ? 'met' : 'NOT met'
        }`,
        '',
      ].join('\n'),
    );
    await backend.stop();
  } finally {
    await knex.destroy();
    await env.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch(e => {
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exit(1);
});
