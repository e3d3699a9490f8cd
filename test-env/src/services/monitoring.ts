import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { CoreV1Api, V1ObjectReference } from '@kubernetes/client-node';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ensureDebianPackage } from '../debian';
import {
  adminKubeConfig,
  createEvent,
  createNode,
  createReplicaSetWorkload,
  createServiceAccountToken,
  ReplicaSetWorkload,
  TestEvent,
  TestNode,
} from '../kubernetes';
import { cacheDir, log } from '../paths';
import {
  freePort,
  ManagedProcess,
  run,
  startProcess,
  stopProcess,
  waitFor,
} from '../processes';
import {
  KubeApiServerEnv,
  MonitoringCluster,
  MonitoringEnv,
  MonitoringWorkload,
} from '../types';
import { startPrometheusInstance } from './prometheus';

const prometheusBinary = '/usr/bin/prometheus';
const promtool = '/usr/bin/promtool';
const nodeExporterBinary = '/usr/bin/prometheus-node-exporter';
const scrapeIntervalSeconds = 1;
const jobs = {
  apiServer: 'apiserver',
  kubeStateMetrics: 'kube-state-metrics',
  nodeExporter: 'node-exporter',
} as const;

const ksmModuleDir = resolvePackagePath(
  '@internal/cluster-registry-test-env',
  'kube-state-metrics',
);

// ── kube-state-metrics build ───────────────────────────────────────────────

/** The kube-state-metrics version kube-state-metrics/go.mod requires. */
function kubeStateMetricsVersion(): string {
  const goMod = fs.readFileSync(path.join(ksmModuleDir, 'go.mod'), 'utf8');
  const version =
    /^\s*require\s+k8s\.io\/kube-state-metrics\/v2 (v[\d.]+)$/m.exec(goMod);
  if (!version)
    throw new Error(
      'kube-state-metrics/go.mod: no `require k8s.io/kube-state-metrics/v2 vX.Y.Z`',
    );
  return version[1];
}

/**
 * The binary is cached per machine, keyed by the version and a hash of go.mod
 * and go.sum: a cold build downloads and compiles client-go and takes minutes.
 */
export function kubeStateMetricsBinaryPath(): string {
  const hash = crypto.createHash('sha256');
  for (const file of ['go.mod', 'go.sum']) {
    hash.update(file).update(fs.readFileSync(path.join(ksmModuleDir, file)));
  }
  return path.join(
    cacheDir(),
    'bin',
    `kube-state-metrics-${kubeStateMetricsVersion()}-${hash
      .digest('hex')
      .slice(0, 16)}`,
  );
}

/**
 * Builds `k8s.io/kube-state-metrics/v2` from the module kube-state-metrics/
 * requires (`go install …@version` would need the proxy's version list, which
 * it refuses here). go.sum is complete, so `-mod=readonly` changes nothing.
 * The version is stamped the way its Makefile does.
 */
export async function buildKubeStateMetrics(): Promise<string> {
  const binary = kubeStateMetricsBinaryPath();
  if (fs.existsSync(binary)) return binary;
  log(
    `building kube-state-metrics from Go modules into ${binary} (cold: minutes)`,
  );
  const started = Date.now();
  fs.mkdirSync(path.dirname(binary), { recursive: true });
  const env = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' };
  const clientGo = (
    await run('go', ['list', '-m', '-f', '{{.Version}}', 'k8s.io/client-go'], {
      cwd: ksmModuleDir,
      env,
    })
  ).trim();
  const ldflags = [
    '-s',
    '-w',
    `-X github.com/prometheus/common/version.Version=${kubeStateMetricsVersion()}`,
    `-X k8s.io/kube-state-metrics/v2/pkg/app.ClientGoVersion=${clientGo}`,
  ];
  const tmp = `${binary}.tmp-${process.pid}`;
  await run(
    'go',
    [
      'build',
      '-ldflags',
      ldflags.join(' '),
      '-o',
      tmp,
      'k8s.io/kube-state-metrics/v2',
    ],
    { cwd: ksmModuleDir, env },
  );
  fs.renameSync(tmp, binary);
  log(
    `built kube-state-metrics in ${((Date.now() - started) / 1000).toFixed(
      0,
    )}s`,
  );
  return binary;
}

// ── what each cluster holds ────────────────────────────────────────────────

/** What a kubelet and the controllers would have put into one cluster. */
interface ClusterSeed {
  nodes: TestNode[];
  /** The node the node-exporter stands for; needs an InternalIP address. */
  nodeExporterNode: string;
  workload: ReplicaSetWorkload;
  /** Whether Prometheus' own HTTP server is scraped as the workload's application. */
  application: boolean;
  /** Events, given the seeded objects by `Kind/name`. */
  events(objects: Map<string, V1ObjectReference>): TestEvent[];
}

const internalIP = (address: string) => [{ type: 'InternalIP', address }];
const controlPlaneTaint = {
  key: 'node-role.kubernetes.io/control-plane',
  effect: 'NoSchedule',
};
/** Documentation addresses (RFC 5737): nodes nothing runs on; never contacted. */
const testNet = (n: number) => `192.0.2.${n}`;

// Its kubernetes-id is not the demo catalog's demo-shop: the Kubernetes
// plugin's e2e test reads demo-shop's tab and must see only its own workloads.
const demoShop: ReplicaSetWorkload = {
  namespace: 'shop',
  name: 'demo-shop',
  labels: { app: 'demo-shop', 'backstage.io/kubernetes-id': 'storefront' },
  podTemplateHash: '7c9d8bf5b4',
  resources: {
    requests: { cpu: '100m', memory: '128Mi' },
    limits: { cpu: '500m', memory: '256Mi' },
  },
  pods: [
    {
      suffix: 'x2k4p',
      nodeName: 'node-a',
      phase: 'Running',
      restartCount: 3,
      podIP: '127.0.0.1',
    },
    { suffix: 'm7qzt', nodeName: 'worker-1', phase: 'Pending' },
  ],
};

const ledger: ReplicaSetWorkload = {
  namespace: 'finance',
  name: 'ledger',
  labels: { app: 'ledger', 'backstage.io/kubernetes-id': 'ledger' },
  podTemplateHash: '5d8f9c7b6',
  resources: {
    requests: { cpu: '250m', memory: '256Mi' },
    limits: { cpu: '1', memory: '512Mi' },
  },
  volumes: [{ name: 'db-credentials', secret: { secretName: 'ledger-db' } }],
  volumeMounts: [{ name: 'db-credentials', mountPath: '/etc/ledger/db' }],
  pods: [
    {
      suffix: 'q8wzn',
      nodeName: 'worker-b1',
      phase: 'Running',
      podIP: '10.244.1.7',
    },
  ],
};

const podName = (w: ReplicaSetWorkload, i: number) =>
  `${w.name}-${w.podTemplateHash}-${w.pods[i].suffix}`;

const seeds: ClusterSeed[] = [
  {
    nodes: [
      {
        name: 'node-a',
        roles: ['control-plane'],
        taints: [controlPlaneTaint],
        addresses: internalIP('127.0.0.1'),
      },
      {
        name: 'worker-1',
        roles: ['worker'],
        addresses: internalIP(testNet(11)),
      },
      {
        name: 'worker-2',
        roles: ['worker'],
        ready: false,
        addresses: internalIP(testNet(12)),
      },
      {
        name: 'infra-1',
        roles: ['infra'],
        taints: [{ key: 'dedicated', value: 'infra', effect: 'NoExecute' }],
        addresses: internalIP(testNet(13)),
      },
      {
        name: 'gpu-1',
        roles: ['gpu'],
        addresses: internalIP(testNet(14)),
        capacity: {
          cpu: '8',
          memory: '32Gi',
          pods: '110',
          'nvidia.com/gpu': '1',
        },
      },
      {
        name: 'old-1',
        roles: ['worker'],
        kubeletVersion: 'v1.32.0',
        addresses: internalIP(testNet(15)),
      },
    ],
    nodeExporterNode: 'node-a',
    workload: demoShop,
    application: true,
    events: objects => [
      {
        involvedObject: {
          ...objects.get(`Pod/${podName(demoShop, 0)}`)!,
          fieldPath: 'spec.containers{app}',
        },
        type: 'Warning',
        reason: 'BackOff',
        message: `Back-off restarting failed container app in pod ${podName(
          demoShop,
          0,
        )}_shop(${objects.get(`Pod/${podName(demoShop, 0)}`)!.uid})`,
        count: 5,
        firstSeenSecondsAgo: 540,
        component: 'kubelet',
        host: 'node-a',
      },
      {
        involvedObject: objects.get('Node/worker-2')!,
        type: 'Warning',
        reason: 'NodeNotReady',
        message: 'Node worker-2 status is now: NodeNotReady',
        firstSeenSecondsAgo: 300,
        component: 'node-controller',
      },
      {
        involvedObject: objects.get(`Pod/${podName(demoShop, 1)}`)!,
        type: 'Normal',
        reason: 'Scheduled',
        message: `Successfully assigned shop/${podName(
          demoShop,
          1,
        )} to worker-1`,
        firstSeenSecondsAgo: 120,
        component: 'default-scheduler',
      },
    ],
  },
  {
    nodes: [
      {
        name: 'node-b',
        roles: ['control-plane'],
        taints: [controlPlaneTaint],
        addresses: internalIP('127.0.0.1'),
      },
      {
        name: 'worker-b1',
        roles: ['worker'],
        addresses: internalIP(testNet(21)),
      },
    ],
    nodeExporterNode: 'node-b',
    workload: ledger,
    application: false,
    events: objects => [
      {
        involvedObject: objects.get(`Pod/${podName(ledger, 0)}`)!,
        type: 'Warning',
        reason: 'FailedMount',
        message:
          'MountVolume.SetUp failed for volume "db-credentials" : secret "ledger-db" not found',
        count: 12,
        firstSeenSecondsAgo: 900,
        component: 'kubelet',
        host: 'worker-b1',
      },
    ],
  },
];

/** The application: Prometheus' own HTTP server (real RED metrics). */
const application = {
  job: 'demo-shop',
  requestsMetric: 'prometheus_http_requests_total',
  statusLabel: 'code',
  durationHistogram: 'prometheus_http_request_duration_seconds',
};

const reference = (o: {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; uid?: string };
}): V1ObjectReference => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  name: o.metadata!.name,
  namespace: o.metadata!.namespace,
  uid: o.metadata!.uid,
});

/** Creates the seed's nodes, workload and events through the real API. */
async function seedCluster(server: KubeApiServerEnv, seed: ClusterSeed) {
  const objects = new Map<string, V1ObjectReference>();
  for (const node of seed.nodes) {
    const created = await createNode(server, node);
    objects.set(
      `Node/${node.name}`,
      reference({ ...created, apiVersion: 'v1', kind: 'Node' }),
    );
  }
  const workload = await createReplicaSetWorkload(server, seed.workload);
  for (const pod of workload.pods) {
    objects.set(
      `Pod/${pod.metadata!.name}`,
      reference({ ...pod, apiVersion: 'v1', kind: 'Pod' }),
    );
  }
  const events = seed.events(objects);
  for (const event of events) await createEvent(server, event);

  const pods = workload.pods.map(p => p.metadata!.name!);
  const running = workload.pods.find(p => p.status?.phase === 'Running')!;
  const pending = workload.pods.find(p => p.status?.phase === 'Pending');
  const monitoredWorkload: MonitoringWorkload = {
    namespace: seed.workload.namespace,
    deployment: seed.workload.name,
    kubernetesId: seed.workload.labels['backstage.io/kubernetes-id'],
    replicaSet: workload.replicaSet.metadata!.name!,
    pods,
    runningPod: running.metadata!.name!,
    pendingPod: pending?.metadata!.name,
    application: seed.application ? application : undefined,
  };
  const reasons = (type: string) => [
    ...new Set(events.filter(e => e.type === type).map(e => e.reason)),
  ];
  const cluster: MonitoringCluster = {
    name: server.name,
    clusterLabelValue: server.name,
    nodes: seed.nodes.map(n => n.name),
    readyNodes: seed.nodes.filter(n => n.ready !== false).length,
    nodeRoles: [...new Set(seed.nodes.flatMap(n => n.roles ?? []))],
    nodeExporterNode: seed.nodeExporterNode,
    workload: monitoredWorkload,
    warningEventReasons: reasons('Warning'),
    normalEventReasons: reasons('Normal'),
  };
  return { cluster, runningPodIP: running.status!.podIP! };
}

/**
 * The node-exporter's scrape target for the node it stands for, read back from
 * the Node object as Kubernetes SD would (its InternalIP; node-exporter runs
 * with hostNetwork).
 */
async function nodeExporterTarget(
  server: KubeApiServerEnv,
  nodeName: string,
  port: number,
) {
  const core = adminKubeConfig(server).makeApiClient(CoreV1Api);
  const node = await core.readNode({ name: nodeName });
  const ip = node.status?.addresses?.find(
    a => a.type === 'InternalIP',
  )?.address;
  if (!ip) throw new Error(`node ${nodeName} has no InternalIP address`);
  return {
    targets: [`${ip}:${port}`],
    labels: { instance: node.metadata!.name!, cluster: server.name },
  };
}

// ── processes ──────────────────────────────────────────────────────────────

/** Called with every process as soon as it is started, so a failure can stop it. */
type Track = (p: ManagedProcess) => void;

/** kube-state-metrics for one cluster, ready once it lists the seeded objects. */
async function startKubeStateMetrics(
  binary: string,
  dir: string,
  server: KubeApiServerEnv,
  expect: { nodes: string[]; pods: string[] },
  track: Track,
) {
  const [port, telemetryPort] = [await freePort(), await freePort()];
  const proc = startProcess(
    `kube-state-metrics ${server.name}`,
    binary,
    [
      `--kubeconfig=${server.kubeconfigPath}`,
      '--host=127.0.0.1',
      `--port=${port}`,
      '--telemetry-host=127.0.0.1',
      `--telemetry-port=${telemetryPort}`,
      '--resources=nodes,pods,namespaces,deployments,replicasets,statefulsets,daemonsets',
      '--metric-labels-allowlist=pods=[backstage.io/kubernetes-id]',
    ],
    { logFile: path.join(dir, 'kube-state-metrics.log') },
  );
  track(proc);
  const url = `http://127.0.0.1:${port}`;
  const has = (text: string, metric: string, label: string, value: string) =>
    new RegExp(`^${metric}\\{[^}]*${label}="${value}"`, 'm').test(text);
  await waitFor(
    `kube-state-metrics ${server.name} lists the seeded objects`,
    async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return (
        expect.nodes.every(n => has(text, 'kube_node_info', 'node', n)) &&
        expect.pods.every(p => has(text, 'kube_pod_info', 'pod', p))
      );
    },
    { process: proc, timeoutMs: 30_000 },
  );
  return { proc, url };
}

/** The filesystem type of `/`. */
function rootFsType(): string | undefined {
  try {
    return fs
      .readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map(l => l.split(' '))
      .filter(f => f[1] === '/')
      .pop()?.[2];
  } catch {
    return undefined;
  }
}

/** node-exporter 1.5.0's default --collector.filesystem.fs-types-exclude, without overlay. */
const fsTypesExcludeButOverlay =
  '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$';

/** The Debian node-exporter on loopback (its default is every interface, :9100). */
async function startNodeExporter(dir: string, track: Track) {
  const port = await freePort();
  const args = [
    `--web.listen-address=127.0.0.1:${port}`,
    '--collector.disable-defaults',
    '--collector.cpu',
    '--collector.meminfo',
    '--collector.filesystem',
    '--collector.loadavg',
    '--collector.uname',
  ];
  // The default excludes overlay, which would hide `/` in a container.
  if (rootFsType() === 'overlay')
    args.push(
      `--collector.filesystem.fs-types-exclude=${fsTypesExcludeButOverlay}`,
    );
  const proc = startProcess('node-exporter', nodeExporterBinary, args, {
    logFile: path.join(dir, 'node-exporter.log'),
  });
  track(proc);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    'node-exporter',
    async () =>
      (
        await (await fetch(`${url}/metrics`)).text()
      ).includes('node_memory_MemTotal_bytes'),
    { process: proc },
  );
  return { proc, port, url };
}

// ── Prometheus ─────────────────────────────────────────────────────────────

interface ScrapedCluster {
  server: KubeApiServerEnv;
  cluster: MonitoringCluster;
  caFile: string;
  tokenFile: string;
  kubeStateMetricsUrl: string;
  runningPodIP: string;
}

/**
 * Jobs named as kube-prometheus names them. Every API server has its own CA
 * and token, so each gets a scrape config of its own, relabelled to the one
 * job `apiserver`. Target labels that Kubernetes SD would attach (namespace,
 * pod, instance = node) come from the objects read back from the API.
 */
function scrapeConfig(
  dir: string,
  prometheusPort: number,
  clusters: ScrapedCluster[],
  nodeExporterTargets: object[],
) {
  const sdFile = path.join(dir, 'node-exporter.json');
  fs.writeFileSync(sdFile, JSON.stringify(nodeExporterTargets, null, 2));
  const apiServers = clusters.map(c => ({
    job_name: `${jobs.apiServer}-${c.server.name}`,
    scheme: 'https',
    tls_config: { ca_file: c.caFile },
    authorization: { type: 'Bearer', credentials_file: c.tokenFile },
    static_configs: [
      {
        targets: [new URL(c.server.serverUrl).host],
        labels: { cluster: c.cluster.clusterLabelValue },
      },
    ],
    relabel_configs: [{ target_label: 'job', replacement: jobs.apiServer }],
  }));
  const applications = clusters.flatMap(c =>
    c.cluster.workload?.application
      ? [
          {
            job_name: c.cluster.workload.application.job,
            static_configs: [
              {
                targets: [`${c.runningPodIP}:${prometheusPort}`],
                labels: {
                  namespace: c.cluster.workload.namespace,
                  pod: c.cluster.workload.runningPod,
                  cluster: c.cluster.clusterLabelValue,
                },
              },
            ],
          },
        ]
      : [],
  );
  return {
    global: {
      scrape_interval: `${scrapeIntervalSeconds}s`,
      evaluation_interval: `${scrapeIntervalSeconds}s`,
    },
    scrape_configs: [
      ...apiServers,
      {
        job_name: jobs.kubeStateMetrics,
        honor_labels: true, // KSM exports namespace/pod/node labels itself
        static_configs: clusters.map(c => ({
          targets: [new URL(c.kubeStateMetricsUrl).host],
          labels: { cluster: c.cluster.clusterLabelValue },
        })),
      },
      {
        job_name: jobs.nodeExporter,
        file_sd_configs: [{ files: [sdFile] }],
      },
      ...applications,
    ],
  };
}

/** Promise.all that waits for every promise to settle before it rejects. */
async function allSettled<T>(promises: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find(
    (r): r is PromiseRejectedResult => r.status === 'rejected',
  );
  if (failed) throw failed.reason;
  return results.map(r => (r as PromiseFulfilledResult<T>).value);
}

/** Resolves once every job of every cluster has a target that is up. */
async function waitForTargets(
  url: string,
  clusters: MonitoringCluster[],
  proc: ManagedProcess,
) {
  const expected = clusters.flatMap(c =>
    [
      jobs.apiServer,
      jobs.kubeStateMetrics,
      jobs.nodeExporter,
      ...(c.workload?.application ? [c.workload.application.job] : []),
    ].map(job => `${c.clusterLabelValue}/${job}`),
  );
  await waitFor(
    'Prometheus scrapes every cluster',
    async () => {
      const res = await fetch(
        `${url}/api/v1/query?query=${encodeURIComponent(
          'min by (cluster, job) (up)',
        )}`,
      );
      const json: any = await res.json();
      const up = new Set(
        (json.data?.result ?? [])
          .filter((r: any) => r.value[1] === '1')
          .map((r: any) => `${r.metric.cluster}/${r.metric.job}`),
      );
      const missing = expected.filter(e => !up.has(e));
      if (missing.length) {
        const targets: any = await (
          await fetch(`${url}/api/v1/targets?state=active`)
        ).json();
        const errors = (targets.data?.activeTargets ?? [])
          .filter((t: any) => t.lastError)
          .map((t: any) => `${t.scrapeUrl}: ${t.lastError}`);
        throw new Error(`not up: ${missing.join(', ')} ${errors.join('; ')}`);
      }
      return true;
    },
    { process: proc, timeoutMs: 30_000, intervalMs: 250 },
  );
}

/** The API server's CA and a `system:monitoring` ServiceAccount token, as files. */
async function writeCredentials(server: KubeApiServerEnv, dir: string) {
  fs.mkdirSync(dir, { recursive: true });
  const caFile = path.join(dir, 'ca.crt');
  fs.writeFileSync(caFile, server.caData);
  const token = await createServiceAccountToken(server, {
    namespace: 'monitoring',
    name: 'prometheus',
    clusterRole: 'system:monitoring',
    expirationSeconds: 7 * 24 * 3600,
  });
  const tokenFile = path.join(dir, 'token');
  fs.writeFileSync(tokenFile, token, { mode: 0o600 });
  return { caFile, tokenFile };
}

/**
 * A real monitoring stack for up to two test API servers: seeds each cluster
 * (nodes, a workload, events) through its API, runs a kube-state-metrics per
 * cluster, one node-exporter (the test machine, standing for the first node of
 * each cluster) and one Prometheus that scrapes them, the API servers and an
 * application, every target labelled `cluster=<server name>`.
 */
export async function startMonitoring(
  stateDir: string,
  apiServers: KubeApiServerEnv[],
) {
  if (apiServers.length === 0)
    throw new Error('monitoring needs at least one kube API server');
  await ensureDebianPackage(prometheusBinary, 'prometheus');
  await ensureDebianPackage(nodeExporterBinary, 'prometheus-node-exporter');
  const ksmBinary = await buildKubeStateMetrics();
  const started = Date.now();
  const root = path.join(stateDir, 'monitoring');
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(root, { recursive: true });

  const processes: ManagedProcess[] = [];
  const track: Track = p => processes.push(p);
  const stop = async () => {
    await Promise.all(processes.map(p => stopProcess(p)));
  };
  try {
    const servers = apiServers.slice(0, seeds.length);
    const nodeExporterStarted = startNodeExporter(root, track);
    const clustersStarted = allSettled(
      servers.map(async (server, i): Promise<ScrapedCluster> => {
        const dir = path.join(root, server.name);
        const { cluster, runningPodIP } = await seedCluster(server, seeds[i]);
        const credentials = await writeCredentials(server, dir);
        const ksm = await startKubeStateMetrics(
          ksmBinary,
          dir,
          server,
          { nodes: cluster.nodes, pods: cluster.workload?.pods ?? [] },
          track,
        );
        return {
          server,
          cluster,
          runningPodIP,
          kubeStateMetricsUrl: ksm.url,
          ...credentials,
        };
      }),
    );
    // Nothing may still be starting when a failure stops what did start.
    await Promise.allSettled([nodeExporterStarted, clustersStarted]);
    const nodeExporter = await nodeExporterStarted;
    const scraped = await clustersStarted;
    const nodeExporterTargets = await Promise.all(
      scraped.map(c =>
        nodeExporterTarget(
          c.server,
          c.cluster.nodeExporterNode,
          nodeExporter.port,
        ),
      ),
    );

    const dir = path.join(root, 'prometheus');
    fs.mkdirSync(dir, { recursive: true });
    const port = await freePort();
    const config = scrapeConfig(dir, port, scraped, nodeExporterTargets);
    const configFile = path.join(dir, 'prometheus.yml');
    fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
    await run(promtool, ['check', 'config', configFile]);
    const prometheus = startPrometheusInstance(dir, port, config);
    processes.push(prometheus);
    const prometheusUrl = `http://127.0.0.1:${port}`;
    const clusters = scraped.map(c => c.cluster);
    await waitForTargets(prometheusUrl, clusters, prometheus);
    log(
      `monitoring up in ${((Date.now() - started) / 1000).toFixed(1)}s (${
        clusters.length
      } clusters)`,
    );

    const env: MonitoringEnv = {
      prometheusUrl,
      clusterLabel: 'cluster',
      scrapeIntervalSeconds,
      jobs,
      clusters,
      nodeExporterUrl: nodeExporter.url,
      kubeStateMetricsUrls: scraped.map(c => c.kubeStateMetricsUrl),
      pids: processes.map(p => p.pid),
    };
    return { env, processes, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
