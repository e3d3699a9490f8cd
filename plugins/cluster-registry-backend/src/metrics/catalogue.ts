import type {
  Exporter,
  MetricsUnit,
  NamedQuery,
} from '@cluster-registry/plugin-cluster-registry-common';
import { HttpFamily } from './families';
import { exporterMatchers, promString } from './selectors';
import { ConfiguredQuery, MetricsSettings } from './settings';

/** What a query is built from: matchers per exporter, the rate window, the workload. */
export interface QueryContext {
  /** Matchers (without braces) of an exporter's series in this cluster, plus `extra`. */
  sel(exporter: Exporter, ...extra: string[]): string;
  /** The rate() window, e.g. "2m". */
  window: string;
  /** Matchers of the workload's pods: namespace and pod regex. */
  pods?: { namespace: string; regex: string };
  /** The entity's HTTP metric family, for application queries. */
  family?: HttpFamily;
}

export interface NamedQueryDefinition extends NamedQuery {
  expr(ctx: QueryContext): string;
}

function def(
  id: string,
  title: string,
  unit: MetricsUnit,
  requires: Exporter,
  description: string,
  expr: (ctx: QueryContext) => string,
  scope: NamedQuery['scope'] = 'cluster',
): NamedQueryDefinition {
  return { id, title, unit, scope, requires, description, expr };
}

const podMatchers = (ctx: QueryContext) => {
  if (!ctx.pods) throw new Error('needs params.namespace and params.workload');
  return [
    `namespace=${promString(ctx.pods.namespace)}`,
    `pod=~${promString(ctx.pods.regex)}`,
  ];
};

const family = (ctx: QueryContext) => {
  if (!ctx.family) throw new Error("needs the entity's metric family");
  return ctx.family;
};

/** A workload's summed requests and limits of one resource, told apart by a `kind` label. */
const requestsAndLimits = (c: QueryContext, resource: 'cpu' | 'memory') =>
  (['requests', 'limits'] as const)
    .map(
      kind =>
        `label_replace(sum(kube_pod_container_resource_${kind}{${c.sel(
          'kubeStateMetrics',
          ...podMatchers(c),
          `resource="${resource}"`,
        )}}), "kind", "${kind}", "", "")`,
    )
    .join(' or ');

/**
 * The built-in named queries, written against raw metrics (no recording
 * rules), with kube-prometheus' job names (clusterRegistry.metrics.jobs).
 */
export const BUILT_IN_QUERIES: NamedQueryDefinition[] = [
  // ── nodes and pods (kube-state-metrics) ────────────────────────────────
  def(
    'nodes.total',
    'Nodes',
    'count',
    'kubeStateMetrics',
    'Node objects.',
    c => `count(kube_node_info{${c.sel('kubeStateMetrics')}})`,
  ),
  def(
    'nodes.ready',
    'Ready nodes',
    'count',
    'kubeStateMetrics',
    'Nodes whose Ready condition is true.',
    c =>
      `sum(kube_node_status_condition{${c.sel(
        'kubeStateMetrics',
        'condition="Ready"',
        'status="true"',
      )}})`,
  ),
  def(
    'pods.byPhase',
    'Pods by phase',
    'count',
    'kubeStateMetrics',
    'Pods per phase (Running, Pending, Failed, ...).',
    c =>
      `sum by (phase) (kube_pod_status_phase{${c.sel(
        'kubeStateMetrics',
      )}}) > 0`,
  ),
  def(
    'cpu.requests',
    'CPU requested',
    'cores',
    'kubeStateMetrics',
    'CPU requests of pods that are pending or running.',
    c =>
      `sum(kube_pod_container_resource_requests{${c.sel(
        'kubeStateMetrics',
        'resource="cpu"',
      )}})`,
  ),
  def(
    'memory.requests',
    'Memory requested',
    'bytes',
    'kubeStateMetrics',
    'Memory requests of pods that are pending or running.',
    c =>
      `sum(kube_pod_container_resource_requests{${c.sel(
        'kubeStateMetrics',
        'resource="memory"',
      )}})`,
  ),
  // ── node usage (node-exporter) ─────────────────────────────────────────
  def(
    'cpu.utilisation',
    'CPU utilisation',
    'ratio',
    'nodeExporter',
    'Busy share of all CPUs of nodes with node-exporter.',
    c =>
      `1 - avg(rate(node_cpu_seconds_total{${c.sel(
        'nodeExporter',
        'mode="idle"',
      )}}[${c.window}]))`,
  ),
  def(
    'cpu.used',
    'CPU in use',
    'cores',
    'nodeExporter',
    'Cores busy (not idle, iowait or steal).',
    c =>
      `sum(rate(node_cpu_seconds_total{${c.sel(
        'nodeExporter',
        'mode!~"idle|iowait|steal"',
      )}}[${c.window}]))`,
  ),
  def(
    'memory.utilisation',
    'Memory utilisation',
    'ratio',
    'nodeExporter',
    'Memory in use of nodes with node-exporter (1 - available / total).',
    c =>
      `1 - sum(node_memory_MemAvailable_bytes{${c.sel(
        'nodeExporter',
      )}}) / sum(node_memory_MemTotal_bytes{${c.sel('nodeExporter')}})`,
  ),
  def(
    'memory.used',
    'Memory in use',
    'bytes',
    'nodeExporter',
    'Total minus available memory.',
    c =>
      `sum(node_memory_MemTotal_bytes{${c.sel(
        'nodeExporter',
      )}}) - sum(node_memory_MemAvailable_bytes{${c.sel('nodeExporter')}})`,
  ),
  def(
    'node.cpuUtilisation',
    'CPU utilisation per node',
    'ratio',
    'nodeExporter',
    'By the node label of node-exporter series.',
    c =>
      `1 - avg by (node) (label_replace(rate(node_cpu_seconds_total{${c.sel(
        'nodeExporter',
        'mode="idle"',
      )}}[${c.window}]), "node", "$1", "${'{{nodeLabel}}'}", "(.*)"))`,
  ),
  def(
    'node.memoryUtilisation',
    'Memory utilisation per node',
    'ratio',
    'nodeExporter',
    'By the node label of node-exporter series.',
    c =>
      `1 - sum by (node) (label_replace(node_memory_MemAvailable_bytes{${c.sel(
        'nodeExporter',
      )}}, "node", "$1", "${'{{nodeLabel}}'}", "(.*)")) / sum by (node) (label_replace(node_memory_MemTotal_bytes{${c.sel(
        'nodeExporter',
      )}}, "node", "$1", "${'{{nodeLabel}}'}", "(.*)"))`,
  ),
  // ── the API server (its own /metrics) ──────────────────────────────────
  def(
    'api.requestRate',
    'API requests by code',
    'perSecond',
    'apiserver',
    'Requests per second to the API server by status class.',
    c =>
      `sum by (code) (label_replace(rate(apiserver_request_total{${c.sel(
        'apiserver',
      )}}[${c.window}]), "code", "\${1}xx", "code", "([0-9])..")) > 0`,
  ),
  def(
    'api.errorRatio',
    'API error ratio',
    'ratio',
    'apiserver',
    'Share of API requests answered 5xx.',
    c =>
      `sum(rate(apiserver_request_total{${c.sel('apiserver', 'code=~"5.."')}}[${
        c.window
      }])) / sum(rate(apiserver_request_total{${c.sel('apiserver')}}[${
        c.window
      }]))`,
  ),
  def(
    'api.latencyP99',
    'API p99 latency',
    'seconds',
    'apiserver',
    '99th percentile of API request duration by verb (without WATCH and CONNECT).',
    c =>
      `histogram_quantile(0.99, sum by (le, verb) (rate(apiserver_request_duration_seconds_bucket{${c.sel(
        'apiserver',
        'verb!~"WATCH|CONNECT"',
      )}}[${c.window}]))) > 0`,
  ),
  // ── a workload's pods (cAdvisor and kube-state-metrics) ────────────────
  def(
    'workload.cpu',
    'CPU per pod',
    'cores',
    'cadvisor',
    'Container CPU per pod, from cAdvisor.',
    c =>
      `sum by (pod) (rate(container_cpu_usage_seconds_total{${c.sel(
        'cadvisor',
        ...podMatchers(c),
        'container!=""',
        'image!=""',
      )}}[${c.window}]))`,
    'workload',
  ),
  def(
    'workload.memory',
    'Memory per pod',
    'bytes',
    'cadvisor',
    'Container working set per pod, from cAdvisor.',
    c =>
      `sum by (pod) (container_memory_working_set_bytes{${c.sel(
        'cadvisor',
        ...podMatchers(c),
        'container!=""',
        'image!=""',
      )}})`,
    'workload',
  ),
  def(
    'workload.cpuRequests',
    'CPU requests and limits',
    'cores',
    'kubeStateMetrics',
    'Sum over the pods of the workload.',
    c => requestsAndLimits(c, 'cpu'),
    'workload',
  ),
  def(
    'workload.memoryRequests',
    'Memory requests and limits',
    'bytes',
    'kubeStateMetrics',
    'Sum over the pods of the workload.',
    c => requestsAndLimits(c, 'memory'),
    'workload',
  ),
  def(
    'workload.restarts',
    'Container restarts',
    'count',
    'kubeStateMetrics',
    'Restarts per pod since it started.',
    c =>
      `sum by (pod) (kube_pod_container_status_restarts_total{${c.sel(
        'kubeStateMetrics',
        ...podMatchers(c),
      )}})`,
    'workload',
  ),
  // ── the application's HTTP metrics (its metric family) ─────────────────
  def(
    'app.requestRate',
    'Requests',
    'perSecond',
    'application',
    "HTTP requests per second of the workload's pods.",
    c =>
      `sum(rate(${family(c).requests}{${c.sel(
        'application',
        ...podMatchers(c),
      )}}[${c.window}]))`,
    'workload',
  ),
  def(
    'app.errorRatio',
    'Error ratio',
    'ratio',
    'application',
    'Share of requests answered with an error status.',
    c => {
      const f = family(c);
      return `(sum(rate(${f.requests}{${c.sel(
        'application',
        ...podMatchers(c),
        `${f.statusLabel}=~${promString(f.errorStatus)}`,
      )}}[${c.window}])) or vector(0)) / sum(rate(${f.requests}{${c.sel(
        'application',
        ...podMatchers(c),
      )}}[${c.window}]))`;
    },
    'workload',
  ),
  def(
    'app.latency',
    'Latency p50 / p95 / p99',
    'seconds',
    'application',
    "Request duration percentiles of the workload's pods.",
    c => {
      const f = family(c);
      const q = (p: string, label: string) =>
        `label_replace(histogram_quantile(${p}, sum by (le) (rate(${
          f.duration
        }_bucket{${c.sel('application', ...podMatchers(c))}}[${
          c.window
        }]))), "quantile", "${label}", "", "")`;
      return `${q('0.5', 'p50')} or ${q('0.95', 'p95')} or ${q('0.99', 'p99')}`;
    },
    'workload',
  ),
];

/** A query an admin configured: its placeholders expand to this cluster's matchers. */
export function configuredQuery(q: ConfiguredQuery): NamedQueryDefinition {
  return def(q.id, q.title, q.unit, q.requires, q.description, c =>
    q.expr
      .replace(
        /\{\{\s*(nodeExporter|kubeStateMetrics|apiserver|cadvisor)\s*\}\}/g,
        (_m, e: Exporter) => c.sel(e),
      )
      .replace(/\{\{\s*cluster\s*\}\}/g, () => c.sel('application'))
      .replace(/\{\{\s*window\s*\}\}/g, c.window),
  );
}

/** The catalogue: built-in queries, then the configured ones. */
export function buildCatalogue(
  settings: MetricsSettings,
): Map<string, NamedQueryDefinition> {
  const all = [...BUILT_IN_QUERIES, ...settings.queries.map(configuredQuery)];
  const nodeLabel = settings.nodeLabel;
  return new Map(
    all.map(q => [
      q.id,
      {
        ...q,
        expr: (ctx: QueryContext) =>
          q.expr(ctx).replace(/\{\{nodeLabel\}\}/g, nodeLabel),
      },
    ]),
  );
}

/** Matchers of a cluster, for a QueryContext. */
export function selectorFor(
  settings: MetricsSettings,
  clusterLabel?: { name: string; value: string },
) {
  return (exporter: Exporter, ...extra: string[]) =>
    exporterMatchers(exporter, settings, clusterLabel, extra);
}
