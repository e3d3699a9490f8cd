/*
 * Benchmark of the cluster registry backend (issue #4's targets):
 *
 *   - seed 10,000 clusters through POST /clusters (verification skipped): create rate
 *   - GET /clusters?category=…&limit=50 (list with category filter): p95
 *   - GET /clusters/{name}: p95
 *   - one health sweep over 1,000 clusters pointing at real kube-apiservers
 *
 * on a SQLite file and on PostgreSQL, with 20 concurrent HTTP clients against
 * the real plugin (express, OpenAPI validation, permissions, store) in a test
 * backend. Services come from test-env. Run:
 *
 *   yarn workspace @cluster-registry/plugin-cluster-registry-backend bench [--clusters N]
 */
import {
  LoggerService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Worker } from 'node:worker_threads';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  ensureDebianPackage,
  startTestEnv,
} from '@internal/cluster-registry-test-env';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import { Client } from 'pg';
import { clusterRegistryPlugin } from '../src/plugin';
import {
  CLIENTS,
  Latencies,
  measure,
  SECONDS,
} from '@internal/cluster-registry-test-env';
import { DatabaseClusterStore } from '../src/database/DatabaseClusterStore';
import { HealthChecker } from '../src/health/HealthChecker';
import { SecretBox } from '../src/secrets/SecretBox';
import { ClusterService } from '../src/service/ClusterService';
import { AddressPolicy } from '@cluster-registry/plugin-cluster-registry-node';

const argIndex = process.argv.indexOf('--clusters');
const CLUSTERS = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 10_000;
const SWEEP = 1_000;
const CATEGORIES = ['prod', 'staging', 'qa', 'dev'];

interface LoadRequest {
  method: 'GET' | 'POST';
  url: string;
  body?: string;
  expect: number;
}

/**
 * Runs the requests from CLIENTS concurrent clients in a worker thread: seeds
 * the clusters and measures the create rate (every request differs).
 */
function load(
  requests: LoadRequest[],
): Promise<{ latencies: number[]; seconds: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(
      resolvePackagePath(
        '@cluster-registry/plugin-cluster-registry-backend',
        'bench/loadWorker.js',
      ),
      {
        workerData: { requests, clients: CLIENTS },
      },
    );
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function benchDatabase(
  label: string,
  knex: Knex,
  apiServers: { url: string; ca: string; token: string }[],
) {
  const encryptionKey = crypto.randomBytes(32).toString('base64');
  const backend = await startTestBackend({
    features: [
      clusterRegistryPlugin,
      mockServices.database.factory({ knex, migrations: { skip: false } }),
      mockServices.rootConfig.factory({
        data: {
          clusterRegistry: {
            encryptionKey,
            healthCheck: { intervalSeconds: 86400 },
          },
        },
      }),
    ],
  });
  const slug = label.split(' ')[0].toLowerCase();
  const base = `http://127.0.0.1:${backend.server.port()}/api/cluster-registry`;
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);

  const create = await load(
    range(CLUSTERS).map(i => ({
      method: 'POST',
      url: `${base}/clusters`,
      expect: 201,
      body: JSON.stringify({
        name: `cluster-${String(i).padStart(5, '0')}`,
        title: `Cluster ${i}`,
        category: CATEGORIES[i % CATEGORIES.length],
        labels: { region: i % 2 ? 'eu' : 'us' },
        serverUrl: `https://cluster-${i}.example:6443`,
        auth: { type: 'bearerToken', token: `token-${i}` },
        skipVerification: true,
      }),
    })),
  );
  // A database that has been running for a while has statistics and, on
  // PostgreSQL, a visibility map (index-only counts); right after a bulk load
  // neither exists until autovacuum comes by. Measure the steady state.
  await knex.raw(
    knex.client.config.client === 'pg' ? 'vacuum analyze clusters' : 'analyze',
  );
  // The framework's floor: Backstage's own liveness route (no plugin code, no
  // database) under the same load, to read the figures below against.
  const origin = `http://127.0.0.1:${backend.server.port()}`;
  const floor = await measure(`${slug}-floor`, origin, [
    '/.backstage/health/v1/liveness',
  ]);
  const list = await measure(
    `${slug}-list`,
    origin,
    CATEGORIES.map(
      c => `/api/cluster-registry/clusters?category=${c}&limit=50`,
    ),
  );
  const get = await measure(
    `${slug}-get`,
    origin,
    range(CLUSTERS).map(
      i =>
        `/api/cluster-registry/clusters/cluster-${String(
          (i * 7919) % CLUSTERS,
        ).padStart(5, '0')}`,
    ),
  );
  await backend.stop();

  // Health sweep: 1,000 clusters pointing at the real API servers, checked by
  // the same HealthChecker the scheduled task runs (concurrency 16).
  await knex('clusters').delete();
  const store = await DatabaseClusterStore.create({
    database: mockServices.database({ knex, migrations: { skip: true } }),
    secrets: SecretBox.fromKey(Buffer.from(encryptionKey, 'base64')),
  });
  const now = new Date().toISOString();
  for (let i = 0; i < SWEEP; i++) {
    const api = apiServers[i % apiServers.length];
    await store.createCluster({
      name: `sweep-${i}`,
      title: `sweep ${i}`,
      labels: {},
      isolated: false,
      serverUrl: api.url,
      auth: { type: 'bearerToken' },
      tls: {
        caData: Buffer.from(api.ca).toString('base64'),
        insecureSkipTlsVerify: false,
      },
      connection: { method: 'direct' },
      secrets: { token: api.token },
      origin: { type: 'registered' },
      status: { state: 'pending' },
      createdAt: now,
      updatedAt: now,
      createdBy: 'bench',
      updatedBy: 'bench',
    });
  }
  const service = new ClusterService(store, {
    verify: {
      timeoutMs: 10_000,
      supportedVersions: { min: '1.28' },
      addressPolicy: new AddressPolicy(),
    },
    permissions: mockServices.permissions(),
  });
  const silent: LoggerService = {
    info() {},
    warn() {},
    error() {},
    debug() {},
    child: () => silent,
  };
  const sweepStarted = performance.now();
  const sweep = await new HealthChecker({
    service,
    logger: silent,
    concurrency: 16,
  }).checkAll();
  const sweepSeconds = (performance.now() - sweepStarted) / 1000;

  return {
    database: label,
    clusters: CLUSTERS,
    createPerSecond: Math.round(CLUSTERS / create.seconds),
    floor,
    list,
    get,
    sweepClusters: sweep.checked,
    sweepRunning: sweep.running,
    sweepSeconds,
  };
}

async function main() {
  await ensureDebianPackage('/usr/bin/wrk', 'wrk');
  const env = await startTestEnv({ kubeApiServers: 2, postgres: true });
  const apiServers = env.env.kubeApiServers.map(s => ({
    url: s.serverUrl,
    ca: s.caData,
    token: s.adminToken,
  }));
  const results = [];
  try {
    const dir = fs.mkdtempSync(
      path.join(os.tmpdir(), 'cluster-registry-bench-'),
    );
    const sqlite = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: path.join(dir, 'bench.sqlite') },
      useNullAsDefault: true,
    });
    results.push(await benchDatabase('SQLite (file)', sqlite, apiServers));
    await sqlite.destroy();

    const pg = env.env.postgres!;
    const admin = new Client({ connectionString: pg.connectionString });
    await admin.connect();
    await admin.query('create database cluster_registry_bench');
    await admin.end();
    const postgres = knexFactory({
      client: 'pg',
      connection: `${pg.connectionString}/cluster_registry_bench`,
      pool: { min: 0, max: 20 },
    });
    results.push(await benchDatabase('PostgreSQL 15', postgres, apiServers));
    await postgres.destroy();
  } finally {
    await env.stop();
  }

  const f = (n: number) => n.toFixed(1);
  const cell = (l: Latencies) =>
    `${f(l.p50)} / ${f(l.p95)} (${Math.round(l.requests / SECONDS)}/s)`;
  const rows = results.map(
    r =>
      `| ${r.database} | ${r.createPerSecond} | ${cell(r.list)} | ${cell(
        r.get,
      )} | ${cell(r.floor)} | ${f(r.sweepSeconds)} s (${r.sweepRunning}/${
        r.sweepClusters
      } running) |`,
  );
  const lines = [
    '',
    `${CLIENTS} concurrent clients, ${CLUSTERS} clusters, ${
      os.cpus().length
    } cores`,
    '',
    '| database | create/s (target ≥ 200) | list by category p50 / p95 ms (≤ 25) | get p50 / p95 ms (≤ 10) | floor: liveness p50 / p95 ms | health sweep of 1,000 (≤ 10 s) |',

    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Requests per second in brackets: with ${CLIENTS} clients always waiting, the mean latency is ${CLIENTS} / rate.`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  process.exit(0);
}

main().catch(e => {
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exit(1);
});
