import { CoreV1Api } from '@kubernetes/client-node';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { adminKubeConfig, GENERATED_NAME_ALPHABET } from '../kubernetes';
import { run, tcpOpen, waitFor } from '../processes';
import { MonitoringEnv } from '../types';
import { RunningKubeApiServer, startKubeApiServer } from './kubeApiServer';
import { startMonitoring } from './monitoring';

jest.setTimeout(240_000);

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(url: string, promql: string): Promise<Sample[]> {
  const res = await fetch(
    `${url}/api/v1/query?query=${encodeURIComponent(promql)}`,
  );
  const json: any = await res.json();
  if (json.status !== 'success') throw new Error(JSON.stringify(json));
  return json.data.result;
}

/** Polls until the query returns at least one sample (rate() needs two scrapes). */
const queryUntilData = (url: string, promql: string) =>
  waitFor(
    promql,
    async () => {
      const result = await query(url, promql);
      return result.length ? result : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 500 },
  );

/** `{ <label value>: number }` of a query's samples. */
const byLabel = (samples: Sample[], label: string) =>
  Object.fromEntries(samples.map(s => [s.metric[label], Number(s.value[1])]));

describe('self-check: monitoring (Prometheus, kube-state-metrics, node-exporter)', () => {
  let stateDir: string;
  let servers: RunningKubeApiServer[];
  let running: Awaited<ReturnType<typeof startMonitoring>>;
  let env: MonitoringEnv;
  let started: number;

  beforeAll(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'monitoring-test-'));
    servers = await Promise.all([
      startKubeApiServer(stateDir, 'test-cluster-1'),
      startKubeApiServer(stateDir, 'test-cluster-2'),
    ]);
    started = Date.now();
    running = await startMonitoring(
      stateDir,
      servers.map(s => s.env),
    );
    env = running.env;
  });
  afterAll(async () => {
    await running?.stop();
    await Promise.all((servers ?? []).map(s => s.stop()));
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('starts within seconds, with a config promtool accepts', async () => {
    expect(Date.now() - started).toBeLessThan(30_000);
    const config = path.join(stateDir, 'monitoring/prometheus/prometheus.yml');
    await expect(
      run('/usr/bin/promtool', ['check', 'config', config]),
    ).resolves.toMatch(/SUCCESS/);
    expect(env.clusters.map(c => c.clusterLabelValue)).toEqual([
      'test-cluster-1',
      'test-cluster-2',
    ]);
  });

  it('listens on 127.0.0.1 only', async () => {
    const sockets = (await run('ss', ['-Hltnp']))
      .split('\n')
      .filter(l => env.pids.some(pid => l.includes(`pid=${pid},`)));
    // node-exporter, Prometheus, and 2 × kube-state-metrics (metrics + telemetry)
    expect(sockets.length).toBeGreaterThanOrEqual(6);
    for (const line of sockets) {
      expect(line.split(/\s+/)[3]).toMatch(/^127\.0\.0\.1:\d+$/);
    }
  });

  it('kube-state-metrics reports the seeded nodes of each cluster, and only those', async () => {
    const { prometheusUrl: url, jobs } = env;
    const ksm = `job="${jobs.kubeStateMetrics}"`;
    const nodes = byLabel(
      await queryUntilData(url, `count by (cluster) (kube_node_info{${ksm}})`),
      'cluster',
    );
    const ready = byLabel(
      await query(
        url,
        `sum by (cluster) (kube_node_status_condition{${ksm},condition="Ready",status="true"})`,
      ),
      'cluster',
    );
    for (const c of env.clusters) {
      expect(nodes[c.clusterLabelValue]).toBe(c.nodes.length);
      expect(ready[c.clusterLabelValue]).toBe(c.readyNodes);
    }
    expect(env.clusters[0].nodes).toHaveLength(6);
    expect(env.clusters[0].readyNodes).toBe(5);

    const [one] = env.clusters;
    const roles = await query(
      url,
      `count by (role) (kube_node_role{${ksm},cluster="${one.clusterLabelValue}"})`,
    );
    expect(roles.map(r => r.metric.role).sort()).toEqual(
      [...one.nodeRoles].sort(),
    );
    expect(one.nodeRoles).toEqual(
      expect.arrayContaining(['control-plane', 'worker', 'infra', 'gpu']),
    );
    const old = await query(
      url,
      `kube_node_info{${ksm},cluster="${one.clusterLabelValue}",kubelet_version="v1.32.0"}`,
    );
    expect(old.map(s => s.metric.node)).toEqual(['old-1']);
    const taints = await query(
      url,
      `kube_node_spec_taint{${ksm},cluster="${one.clusterLabelValue}"}`,
    );
    // The not-ready taints are the ones Kubernetes itself puts on a NotReady node.
    expect(
      taints
        .map(s => `${s.metric.node}:${s.metric.key}:${s.metric.effect}`)
        .sort(),
    ).toEqual([
      'infra-1:dedicated:NoExecute',
      'node-a:node-role.kubernetes.io/control-plane:NoSchedule',
      'worker-2:node.kubernetes.io/not-ready:NoExecute',
      'worker-2:node.kubernetes.io/not-ready:NoSchedule',
    ]);
  });

  it('kube-state-metrics reports the workload: pods by phase, restarts, replicas, requests', async () => {
    const { prometheusUrl: url, jobs } = env;
    const [one, two] = env.clusters;
    const w = one.workload!;
    const sel = `job="${jobs.kubeStateMetrics}",cluster="${one.clusterLabelValue}",namespace="${w.namespace}"`;

    const nameShape = new RegExp(
      `^${w.deployment}-[${GENERATED_NAME_ALPHABET}]+-[${GENERATED_NAME_ALPHABET}]{5}$`,
    );
    for (const pod of w.pods) expect(pod).toMatch(nameShape);
    expect(w.pods).toHaveLength(2);

    const phases = await queryUntilData(
      url,
      `kube_pod_status_phase{${sel}} == 1`,
    );
    expect(
      Object.fromEntries(phases.map(s => [s.metric.pod, s.metric.phase])),
    ).toEqual({ [w.runningPod]: 'Running', [w.pendingPod!]: 'Pending' });

    const restarts = await query(
      url,
      `kube_pod_container_status_restarts_total{${sel}}`,
    );
    expect(byLabel(restarts, 'pod')).toEqual({
      [w.runningPod]: 3,
      [w.pendingPod!]: 0,
    });
    const replicas = async (metric: string) =>
      Number(
        (await query(url, `${metric}{${sel},deployment="${w.deployment}"}`))[0]
          .value[1],
      );
    expect(await replicas('kube_deployment_spec_replicas')).toBe(2);
    expect(await replicas('kube_deployment_status_replicas_available')).toBe(1);
    expect(await replicas('kube_deployment_status_replicas_unavailable')).toBe(
      1,
    );

    const requests = await query(
      url,
      `sum by (resource) (kube_pod_container_resource_requests{${sel}})`,
    );
    expect(byLabel(requests, 'resource')).toEqual({
      cpu: 0.2,
      memory: 2 * 128 * 1024 * 1024,
    });
    const owners = await query(url, `kube_pod_owner{${sel}}`);
    expect(new Set(owners.map(s => s.metric.owner_name))).toEqual(
      new Set([w.replicaSet]),
    );
    const labelled = await query(
      url,
      `kube_pod_labels{${sel},label_backstage_io_kubernetes_id="${w.kubernetesId}"}`,
    );
    expect(labelled.map(s => s.metric.pod).sort()).toEqual([...w.pods].sort());

    // The other cluster's workload carries the other cluster's label only.
    const elsewhere = await query(
      url,
      `count by (cluster) (kube_pod_info{job="${
        jobs.kubeStateMetrics
      }",namespace="${two.workload!.namespace}"})`,
    );
    expect(byLabel(elsewhere, 'cluster')).toEqual({
      [two.clusterLabelValue]: 1,
    });
  });

  it('node-exporter stands for one node per cluster (instance = node name)', async () => {
    const { prometheusUrl: url, jobs } = env;
    const mem = await queryUntilData(
      url,
      `node_memory_MemTotal_bytes{job="${jobs.nodeExporter}"}`,
    );
    expect(
      Object.fromEntries(mem.map(s => [s.metric.cluster, s.metric.instance])),
    ).toEqual(
      Object.fromEntries(
        env.clusters.map(c => [c.clusterLabelValue, c.nodeExporterNode]),
      ),
    );
    for (const s of mem) expect(Number(s.value[1])).toBeGreaterThan(1e8);
    const rootFs = await query(
      url,
      `node_filesystem_size_bytes{job="${jobs.nodeExporter}",mountpoint="/",fstype!=""}`,
    );
    expect(rootFs.length).toBe(env.clusters.length);
    const cpu = await queryUntilData(
      url,
      `1 - avg by (cluster, instance) (rate(node_cpu_seconds_total{job="${jobs.nodeExporter}",mode="idle"}[5s]))`,
    );
    for (const s of cpu) {
      expect(Number(s.value[1])).toBeGreaterThanOrEqual(0);
      expect(Number(s.value[1])).toBeLessThanOrEqual(1);
    }
  });

  it('scrapes each API server with a system:monitoring token', async () => {
    const { prometheusUrl: url, jobs } = env;
    const clusters = env.clusters.map(c => c.clusterLabelValue).sort();
    // Requests of our own, so every API server has something to count.
    for (const s of servers) {
      await adminKubeConfig(s.env).makeApiClient(CoreV1Api).listNode();
    }
    const rates = await waitFor(
      'apiserver_request_total rises on every cluster',
      async () => {
        const r = byLabel(
          await query(
            url,
            `sum by (cluster) (rate(apiserver_request_total{job="${jobs.apiServer}"}[5s])) > 0`,
          ),
          'cluster',
        );
        return Object.keys(r).length === clusters.length ? r : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(Object.keys(rates).sort()).toEqual(clusters);
    const latency = await queryUntilData(
      url,
      `histogram_quantile(0.99, sum by (cluster, le) (rate(apiserver_request_sli_duration_seconds_bucket{job="${jobs.apiServer}",verb!~"WATCH|CONNECT"}[5s])))`,
    );
    expect(latency.length).toBe(env.clusters.length);
  });

  it("serves the application's RED metrics under namespace and pod", async () => {
    const { prometheusUrl: url } = env;
    const [one] = env.clusters;
    const w = one.workload!;
    const app = w.application!;
    const sel = `job="${app.job}",cluster="${one.clusterLabelValue}",namespace="${w.namespace}",pod="${w.runningPod}"`;
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${url}/api/v1/query?query=${'('.repeat(3)}`);
      expect(res.status).toBe(400);
    }
    const errors = await waitFor(
      '400s counted',
      async () => {
        const r = await query(
          url,
          `sum(${app.requestsMetric}{${sel},${app.statusLabel}="400"})`,
        );
        return r.length && Number(r[0].value[1]) >= 5 ? r : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 500 },
    );
    expect(Number(errors[0].value[1])).toBeGreaterThanOrEqual(5);
    const buckets = await query(
      url,
      `count(${app.durationHistogram}_bucket{${sel}})`,
    );
    expect(Number(buckets[0].value[1])).toBeGreaterThan(0);
    expect(env.clusters[1].workload!.application).toBeUndefined();
  });

  it("records each cluster's events in its own API", async () => {
    const seeded = new Set(
      env.clusters.flatMap(c => [
        ...c.warningEventReasons,
        ...c.normalEventReasons,
      ]),
    );
    const reasons = async (i: number, type: string) => {
      const core = adminKubeConfig(servers[i].env).makeApiClient(CoreV1Api);
      const list = await core.listEventForAllNamespaces({
        fieldSelector: `type=${type}`,
      });
      // The API server raises events of its own now and then
      // (ClusterIPNotAllocated, KubernetesDefaultServiceCIDRInconsistent):
      // only the reasons the environment seeds in either cluster count.
      return [...new Set(list.items.map(e => e.reason!))]
        .filter(reason => seeded.has(reason))
        .sort();
    };
    const [one, two] = env.clusters;
    expect(await reasons(0, 'Warning')).toEqual(
      [...one.warningEventReasons].sort(),
    );
    expect(one.warningEventReasons).toEqual(
      expect.arrayContaining(['BackOff', 'NodeNotReady']),
    );
    expect(await reasons(0, 'Normal')).toEqual(
      [...one.normalEventReasons].sort(),
    );
    expect(await reasons(1, 'Warning')).toEqual(two.warningEventReasons);
    expect(two.warningEventReasons).toEqual(['FailedMount']);

    const core = adminKubeConfig(servers[0].env).makeApiClient(CoreV1Api);
    const backOff = await core.listNamespacedEvent({
      namespace: one.workload!.namespace,
      fieldSelector: `reason=BackOff,involvedObject.name=${
        one.workload!.runningPod
      }`,
    });
    expect(backOff.items).toHaveLength(1);
    expect(backOff.items[0]).toMatchObject({
      count: 5,
      source: { component: 'kubelet', host: 'node-a' },
    });
  });

  it('stops every process', async () => {
    const port = Number(new URL(env.prometheusUrl).port);
    await running.stop();
    expect(await tcpOpen(port)).toBe(false);
    for (const pid of env.pids) {
      expect(() => process.kill(pid, 0)).toThrow();
    }
  });
});
