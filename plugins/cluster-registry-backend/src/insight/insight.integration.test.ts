import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  acquireTestEnv,
  b64,
  MonitoringEnv,
  RunningTestEnv,
} from '@internal/cluster-registry-test-env';
import request from 'supertest';
import { startRegistry } from '../__testUtils__/startRegistry';

jest.setTimeout(240_000);

const BASE = '/api/cluster-registry';

/**
 * The cluster page's data against real services: two API servers seeded as
 * a kubelet and controllers would, kube-state-metrics, node-exporter and
 * one Prometheus scraping both clusters (told apart by a `cluster` label).
 */
describe('cluster insight and metrics against real exporters', () => {
  let running: RunningTestEnv;
  let monitoring: MonitoringEnv;
  let server: Parameters<typeof request>[0];
  const names = ['insight-a', 'insight-b'];

  beforeAll(async () => {
    running = await acquireTestEnv({ kubeApiServers: 2, monitoring: true });
    monitoring = running.env.monitoring!;
    const app = monitoring.clusters[0].workload!.application!;
    server = await startRegistry({
      settings: { metrics: { scrapeIntervalSeconds: 1 } },
      features: [
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'demo-shop',
                namespace: 'default',
                annotations: {
                  'backstage.io/kubernetes-id':
                    monitoring.clusters[0].workload!.kubernetesId,
                  'cluster-registry.io/http-requests-metric':
                    app.requestsMetric,
                  'cluster-registry.io/http-status-label': app.statusLabel,
                  'cluster-registry.io/http-duration-metric':
                    app.durationHistogram,
                  'cluster-registry.io/http-error-status': '4..|5..',
                },
              },
              spec: {
                type: 'service',
                owner: 'team-a',
                lifecycle: 'production',
              },
            },
          ],
        }),
      ],
    });
    for (const [i, name] of names.entries()) {
      const api = running.env.kubeApiServers[i];
      const res = await request(server)
        .post(`${BASE}/clusters`)
        .send({
          name,
          title: name,
          serverUrl: api.serverUrl,
          auth: { type: 'bearerToken', token: api.adminToken },
          tls: { caData: b64(api.caData) },
          prometheus: {
            url: monitoring.prometheusUrl,
            clusterLabel: {
              name: monitoring.clusterLabel,
              value: monitoring.clusters[i].clusterLabelValue,
            },
          },
        });
      if (res.status !== 201)
        throw new Error(`registering ${name}: ${res.status} ${res.text}`);
    }
  });
  afterAll(() => running?.stop());

  it('shows the nodes the API server has, with roles, skew, usage and capacity; never another cluster’s', async () => {
    const [a, b] = monitoring.clusters;
    const res = await request(server).get(`${BASE}/clusters/insight-a/insight`);
    expect(res.status).toBe(200);
    const nodes: any[] = res.body.nodes.items;
    expect(nodes.map(n => n.name).sort()).toEqual([...a.nodes].sort());
    expect(nodes.filter(n => n.status === 'Ready')).toHaveLength(a.readyNodes);
    expect([...new Set(nodes.flatMap(n => n.roles))].sort()).toEqual(
      [...a.nodeRoles].sort(),
    );
    const skewed = nodes.filter(n => n.versionSkew);
    expect(skewed.length).toBeGreaterThan(0);
    expect(skewed[0].versionSkew.message).toMatch(/minors behind/);
    // Only the node node-exporter stands for has usage.
    expect(nodes.filter(n => n.usage).map(n => n.name)).toEqual([
      a.nodeExporterNode,
    ]);
    const usage = nodes.find(n => n.usage).usage;
    expect(usage.memory).toBeGreaterThan(0);
    expect(usage.memory).toBeLessThan(1);
    // Pods of the seeded workload are counted and their requests summed.
    const workload = a.workload!;
    expect(
      nodes.reduce((sum, n) => sum + (n.podCount ?? 0), 0),
    ).toBeGreaterThanOrEqual(workload.pods.length);
    const capacity = res.body.capacity.value;
    expect(capacity.cpu.allocatable).toBeGreaterThan(0);
    expect(capacity.cpu.requested).toBeGreaterThan(0);
    expect(capacity.memory.used).toBeGreaterThan(0);
    expect(res.body.version).toMatchObject({
      version: running.env.kubeApiServers[0].kubernetesVersion,
    });
    expect(res.body.access.items).toContainEqual(
      expect.objectContaining({ verb: '*', allowed: true }),
    );

    const other = await request(server).get(
      `${BASE}/clusters/insight-b/insight`,
    );
    expect(other.body.nodes.items.map((n: any) => n.name).sort()).toEqual(
      [...b.nodes].sort(),
    );
  });

  it('lists warning events first, and only this cluster’s', async () => {
    const [a, b] = monitoring.clusters;
    const warnings = await request(server).get(
      `${BASE}/clusters/insight-a/events`,
    );
    expect(warnings.status).toBe(200);
    const reasons = warnings.body.items.map((e: any) => e.reason);
    // The seeded warnings; the API server may add real ones of its own
    // (ClusterIPNotAllocated in the shared environment).
    expect(reasons).toEqual(expect.arrayContaining(a.warningEventReasons));
    expect(warnings.body.items.every((e: any) => e.type === 'Warning')).toBe(
      true,
    );
    const onlyOnB = b.warningEventReasons.filter(
      r => !a.warningEventReasons.includes(r),
    );
    expect(onlyOnB.length).toBeGreaterThan(0);
    expect(reasons.filter((r: string) => onlyOnB.includes(r))).toEqual([]);
    const all = await request(server).get(
      `${BASE}/clusters/insight-a/events?type=all`,
    );
    const types = all.body.items.map((e: any) => e.type);
    expect(types.lastIndexOf('Warning')).toBeLessThan(types.indexOf('Normal'));
    expect(all.body.items.map((e: any) => e.reason)).toEqual(
      expect.arrayContaining(a.normalEventReasons),
    );
  });

  it('finds the exporters and runs named queries with real numbers per cluster', async () => {
    const sources = await request(server).get(
      `${BASE}/clusters/insight-a/metrics/sources`,
    );
    expect(sources.status).toBe(200);
    const found = Object.fromEntries(
      sources.body.exporters.map((e: any) => [e.exporter, e.found]),
    );
    expect(found).toEqual({
      nodeExporter: true,
      kubeStateMetrics: true,
      apiserver: true,
      cadvisor: false,
    });

    const query = (cluster: string, queries: string[]) =>
      request(server)
        .post(`${BASE}/clusters/${cluster}/metrics/query`)
        .send({ queries, range: { last: '15m' } });
    const last = (result: any) => {
      const points = result.series?.[0]?.points ?? [];
      return points[points.length - 1]?.[1];
    };
    // rate() needs two samples in its window: wait for them.
    let res: any;
    for (let i = 0; i < 30; i++) {
      res = await query('insight-a', [
        'nodes.total',
        'nodes.ready',
        'cpu.utilisation',
        'memory.utilisation',
        'pods.byPhase',
        'api.requestRate',
        'api.latencyP99',
        'workload.cpu',
      ]);
      if (
        res.body.results.every(
          (r: any) => r.id === 'workload.cpu' || last(r) !== undefined,
        )
      )
        break;
      await new Promise(r => setTimeout(r, 1000));
    }
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(
      res.body.results.map((r: any) => [r.id, r]),
    );
    const [a, b] = monitoring.clusters;
    expect(last(byId['nodes.total'])).toBe(a.nodes.length);
    expect(last(byId['nodes.ready'])).toBe(a.readyNodes);
    expect(last(byId['cpu.utilisation'])).toBeGreaterThan(0);
    expect(last(byId['cpu.utilisation'])).toBeLessThan(1);
    expect(last(byId['memory.utilisation'])).toBeGreaterThan(0);
    expect(
      byId['pods.byPhase'].series.map((s: any) => s.labels.phase),
    ).toContain('Running');
    expect(last(byId['api.requestRate'])).toBeGreaterThan(0);
    expect(byId['api.latencyP99'].series.length).toBeGreaterThan(0);
    // A workload query without a workload fails alone.
    expect(byId['workload.cpu'].error).toMatch(/needs params/);

    const other = await query('insight-b', ['nodes.total']);
    expect(last(other.body.results[0])).toBe(b.nodes.length);
  });

  it('shows an entity’s application metrics in the cluster that runs it', async () => {
    const a = monitoring.clusters[0];
    // The "application" is a Prometheus server: send it good and bad queries.
    // A counter's first sample shows no increase: create the 400 series
    // first and let it be scraped, then send the burst rate() sees.
    await fetch(`${monitoring.prometheusUrl}/api/v1/query?query=up{`);
    await new Promise(r => setTimeout(r, 2500));
    for (let i = 0; i < 10; i++) {
      await fetch(`${monitoring.prometheusUrl}/api/v1/query?query=up`);
      await fetch(`${monitoring.prometheusUrl}/api/v1/query?query=up{`);
    }
    let res: any;
    for (let i = 0; i < 20; i++) {
      res = await request(server)
        .post(`${BASE}/entity-metrics/query`)
        .send({
          entityRef: 'component:default/demo-shop',
          range: { last: '15m' },
        });
      const rate = res.body.clusters?.[0]?.results?.find(
        (r: any) => r.id === 'app.errorRatio',
      );
      if (rate?.series?.[0]?.points?.some((p: any) => p[1] > 0)) break;
      await new Promise(r => setTimeout(r, 1000));
    }
    expect(res.status).toBe(200);
    expect(res.body.clusters.map((c: any) => c.cluster)).toEqual(['insight-a']);
    const cluster = res.body.clusters[0];
    expect(cluster.workloads).toContainEqual(
      expect.objectContaining({
        kind: 'Deployment',
        namespace: a.workload!.namespace,
        name: a.workload!.deployment,
        desiredReplicas: a.workload!.pods.length,
      }),
    );
    const results = Object.fromEntries(
      cluster.results.map((r: any) => [r.id, r]),
    );
    const values = (id: string) =>
      (results[id].series ?? []).flatMap((s: any) =>
        s.points.map((p: any) => p[1]).filter((v: any) => v !== null),
      );
    expect(Math.max(...values('app.requestRate'))).toBeGreaterThan(0);
    expect(Math.max(...values('app.errorRatio'))).toBeGreaterThan(0);
    expect(Math.max(...values('app.errorRatio'))).toBeLessThanOrEqual(1);
    expect(values('workload.restarts').length).toBeGreaterThan(0);
    expect(values('workload.cpuRequests').length).toBeGreaterThan(0);
    // No cAdvisor without a kubelet: an honest empty result.
    expect(results['workload.cpu'].series ?? []).toEqual([]);
  });

  it('keeps a trend of health checks', async () => {
    await request(server).post(`${BASE}/clusters/insight-a/refresh`).send({});
    const res = await request(server).get(
      `${BASE}/health-trends?cluster=insight-a&cluster=insight-b&cluster=nope`,
    );
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: any) => i.cluster)).toEqual(names);
    expect(res.body.items[0].samples.at(-1)).toMatchObject({
      state: 'running',
      latencyMs: expect.any(Number),
    });
  });

  it('refuses hostile parameters with the field and reason', async () => {
    const post = (body: object, path = 'metrics/query') =>
      request(server).post(`${BASE}/clusters/insight-a/${path}`).send(body);
    const fields = (res: any) =>
      (res.body.error.fields ?? []).map((f: any) => f.field);
    const unknown = await post({ queries: ['nodes.total', 'x.y'] });
    expect(unknown.status).toBe(400);
    expect(fields(unknown)).toEqual(['queries.1']);
    const injected = await post({
      queries: ['workload.cpu'],
      params: { namespace: 'shop"} or up{', workload: 'web' },
    });
    expect(injected.status).toBe(400);
    expect(fields(injected)).toContain('params.namespace');
    const long = await post({
      queries: ['nodes.total'],
      range: { start: '2026-01-01T00:00:00Z', end: '2026-03-01T00:00:00Z' },
    });
    expect(long.status).toBe(400);
    expect(fields(long)).toEqual(['range']);
    const raw = await post({ query: 'up' }, 'metrics/raw');
    expect(raw.status).toBe(404);
    const events = await request(server).get(
      `${BASE}/clusters/insight-a/events?limit=100000`,
    );
    expect(events.status).toBe(400);
    const missing = await request(server).get(`${BASE}/clusters/nope/insight`);
    expect(missing.status).toBe(404);
  });

  it('needs cluster-registry.cluster.read, and raw PromQL its own permission', async () => {
    const denied = await startRegistry({
      permissions: AuthorizeResult.DENY,
      settings: { metrics: { allowRawQueries: true } },
    });
    for (const res of [
      await request(denied).get(`${BASE}/clusters/insight-a/insight`),
      await request(denied).get(`${BASE}/metrics/queries`),
      await request(denied)
        .post(`${BASE}/clusters/insight-a/metrics/raw`)
        .send({ query: 'up' }),
    ])
      expect(res.status).toBe(403);
    const auditor = mockServices.auditor.mock();
    const allowed = await startRegistry({
      auditor,
      settings: { metrics: { allowRawQueries: true } },
    });
    const api = running.env.kubeApiServers[0];
    await request(allowed)
      .post(`${BASE}/clusters`)
      .send({
        name: 'raw-a',
        serverUrl: api.serverUrl,
        auth: { type: 'bearerToken', token: api.adminToken },
        tls: { caData: b64(api.caData) },
        prometheus: { url: monitoring.prometheusUrl },
      })
      .expect(201);
    // On a test environment started moments ago the range may hold no
    // sample of `up` yet: wait for Prometheus' first scrapes.
    let raw: request.Response | undefined;
    for (let i = 0; i < 30; i++) {
      raw = await request(allowed)
        .post(`${BASE}/clusters/raw-a/metrics/raw`)
        .send({ query: 'count(up)', range: { last: '15m' } });
      if (raw.status !== 200 || raw.body.results[0]?.series?.length) break;
      await new Promise(r => setTimeout(r, 1000));
    }
    raw = raw!;
    expect(raw.status).toBe(200);
    expect(raw.body.results[0].series[0].points.length).toBeGreaterThan(0);
    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({
        eventId: 'cluster-metrics-raw-query',
        meta: { cluster: 'raw-a', query: 'count(up)' },
      }),
    );
  });
});
