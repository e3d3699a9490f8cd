import { RootConfigService } from '@backstage/backend-plugin-api';
import type {
  Exporter,
  MetricsUnit,
} from '@cluster-registry/plugin-cluster-registry-common';

/** A named query an admin adds in config (trusted like the rest of app-config). */
export interface ConfiguredQuery {
  id: string;
  title: string;
  unit: MetricsUnit;
  requires: Exporter;
  description: string;
  /** PromQL with placeholders: {{nodeExporter}}, {{kubeStateMetrics}}, {{apiserver}}, {{cadvisor}}, {{cluster}}, {{window}}. */
  expr: string;
}

/** clusterRegistry.metrics, with defaults. */
export interface MetricsSettings {
  /** Job names of the exporters (kube-prometheus' by default). */
  jobs: Record<Exclude<Exporter, 'application'>, string>;
  /** The label that names a node in node-exporter series (kube-prometheus: instance). */
  nodeLabel: string;
  scrapeIntervalSeconds: number;
  maxRangeHours: number;
  maxPoints: number;
  maxSeries: number;
  cacheTtlSeconds: number;
  queryTimeoutSeconds: number;
  allowRawQueries: boolean;
  queries: ConfiguredQuery[];
}

const UNITS: MetricsUnit[] = [
  'ratio',
  'cores',
  'bytes',
  'count',
  'perSecond',
  'seconds',
];
const EXPORTERS: Exporter[] = [
  'nodeExporter',
  'kubeStateMetrics',
  'apiserver',
  'cadvisor',
  'application',
];

function oneOf<T extends string>(value: string, allowed: T[], key: string): T {
  if (!allowed.includes(value as T))
    throw new Error(
      `clusterRegistry.metrics.${key} must be one of ${allowed.join(', ')}`,
    );
  return value as T;
}

function labelName(name: string): string {
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name))
    throw new Error(
      `clusterRegistry.metrics.nodeLabel '${name}' is not a Prometheus label name`,
    );
  return name;
}

export function readMetricsSettings(
  config?: RootConfigService,
): MetricsSettings {
  const m = config?.getOptionalConfig('clusterRegistry.metrics');
  const job = (key: string, fallback: string) =>
    m?.getOptionalString(`jobs.${key}`) ?? fallback;
  const queries = (m?.getOptionalConfigArray('queries') ?? []).map(q => {
    const id = q.getString('id');
    if (!/^custom\.[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9]*)*$/.test(id))
      throw new Error(
        `clusterRegistry.metrics.queries: id '${id}' must start with 'custom.' (e.g. custom.ingressRate)`,
      );
    return {
      id,
      title: q.getString('title'),
      unit: oneOf(q.getString('unit'), UNITS, 'queries[].unit'),
      requires: oneOf(
        q.getOptionalString('requires') ?? 'kubeStateMetrics',
        EXPORTERS,
        'queries[].requires',
      ),
      description: q.getOptionalString('description') ?? '',
      expr: q.getString('expr'),
    };
  });
  return {
    jobs: {
      nodeExporter: job('nodeExporter', 'node-exporter'),
      kubeStateMetrics: job('kubeStateMetrics', 'kube-state-metrics'),
      apiserver: job('apiserver', 'apiserver'),
      cadvisor: job('cadvisor', 'kubelet'),
    },
    nodeLabel: labelName(m?.getOptionalString('nodeLabel') ?? 'instance'),
    scrapeIntervalSeconds: m?.getOptionalNumber('scrapeIntervalSeconds') ?? 30,
    maxRangeHours: m?.getOptionalNumber('maxRangeHours') ?? 7 * 24,
    maxPoints: m?.getOptionalNumber('maxPoints') ?? 250,
    maxSeries: m?.getOptionalNumber('maxSeries') ?? 50,
    cacheTtlSeconds: m?.getOptionalNumber('cacheTtlSeconds') ?? 30,
    queryTimeoutSeconds: m?.getOptionalNumber('queryTimeoutSeconds') ?? 10,
    allowRawQueries: m?.getOptionalBoolean('allowRawQueries') ?? false,
    queries,
  };
}
