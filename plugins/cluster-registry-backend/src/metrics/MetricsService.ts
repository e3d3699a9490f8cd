import { AuditorService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  clusterMetricsRawPermission,
  Exporter,
  ExporterFound,
  MetricsQueryResponse,
  MetricsResult,
  MetricsSources,
  NamedQueryList,
  ParsedMetricsQuery,
} from '@cluster-registry/plugin-cluster-registry-common';
import { PromSeries } from '../prometheus/PrometheusClient';
import { testPrometheus } from '../prometheus/testPrometheus';
import { Caller, ClusterService } from '../service/ClusterService';
import { ClusterReader } from '../service/ClusterReader';
import { fieldError } from '../service/errors';
import {
  buildCatalogue,
  NamedQueryDefinition,
  QueryContext,
  selectorFor,
} from './catalogue';
import { HttpFamily } from './families';
import { MetricsCache } from './MetricsCache';
import { duration, resolveRange, ResolvedRange } from './range';
import { podRegex } from './selectors';
import { MetricsSettings } from './settings';

/** A reader of a cluster that has a Prometheus endpoint. */
export type WithPrometheus = ClusterReader & {
  prometheus: NonNullable<ClusterReader['prometheus']>;
};

/** What each exporter brings, said on the sources card. */
const EXPORTERS: Array<{
  exporter: Exclude<Exporter, 'application'>;
  metric: string;
  adds: string;
}> = [
  {
    exporter: 'nodeExporter',
    metric: 'node_cpu_seconds_total',
    adds: 'CPU and memory utilisation of nodes (node-exporter on each node)',
  },
  {
    exporter: 'kubeStateMetrics',
    metric: 'kube_node_info',
    adds: 'node readiness, pods by phase, requests and limits, restarts (kube-state-metrics)',
  },
  {
    exporter: 'apiserver',
    metric: 'apiserver_request_total',
    adds: "API server request rate, errors and latency (scrape the API server's /metrics)",
  },
  {
    exporter: 'cadvisor',
    metric: 'container_cpu_usage_seconds_total',
    adds: "container CPU and memory per pod (cAdvisor, scraped through each kubelet's /metrics/cadvisor)",
  },
];

/** Named metrics queries, exporter discovery and (if enabled) raw PromQL. */
export class MetricsService {
  private readonly catalogue: Map<string, NamedQueryDefinition>;
  private readonly results: MetricsCache<PromSeries[]>;
  private readonly sources: MetricsCache<MetricsSources>;

  constructor(
    private readonly clusters: ClusterService,
    readonly settings: MetricsSettings,
    private readonly auditor?: AuditorService,
  ) {
    this.catalogue = buildCatalogue(settings);
    this.results = new MetricsCache(settings.cacheTtlSeconds * 1000);
    this.sources = new MetricsCache(60_000);
  }

  async listQueries(caller: Caller): Promise<NamedQueryList> {
    await this.clusters.authorizeRead(caller);
    return {
      items: [...this.catalogue.values()].map(({ expr: _e, ...q }) => q),
      rawQueriesEnabled: this.settings.allowRawQueries,
    };
  }

  /** The reader of a cluster with Prometheus, or a 400 saying it has none. */
  private async open(name: string, caller: Caller, raw = false) {
    const reader = await this.clusters.openForReading(
      name,
      caller,
      raw ? clusterMetricsRawPermission : undefined,
    );
    if (!reader.prometheus) {
      reader.close();
      throw fieldError(
        'prometheus',
        `cluster ${name} has no Prometheus endpoint: add one on its edit page`,
      );
    }
    return reader as WithPrometheus;
  }

  private context(
    reader: ClusterReader,
    range: ResolvedRange,
    extra: Partial<QueryContext> = {},
  ): QueryContext {
    return {
      sel: selectorFor(this.settings, reader.clusterLabel),
      window: duration(range.window),
      ...extra,
    };
  }

  /** Runs one query over the range; its failure is its own result. */
  async run(
    reader: WithPrometheus,
    query: NamedQueryDefinition,
    range: ResolvedRange,
    ctx: QueryContext,
    instant = false,
  ): Promise<MetricsResult> {
    const base = { id: query.id, title: query.title, unit: query.unit };
    let expr: string;
    try {
      expr = query.expr(ctx);
    } catch (e) {
      return { ...base, error: (e as Error).message };
    }
    const key = `${reader.name}\n${
      instant ? 'i' : `${range.start}:${range.end}:${range.step}`
    }\n${expr}`;
    const timeout = this.settings.queryTimeoutSeconds;
    try {
      const series = await this.results.get(key, () =>
        instant
          ? reader.prometheus.query(expr, timeout)
          : reader.prometheus.queryRange(expr, range, timeout),
      );
      const max = this.settings.maxSeries;
      return {
        ...base,
        series: series.slice(0, max),
        ...(series.length > max && { truncated: true }),
      };
    } catch (e) {
      return { ...base, error: (e as Error).message };
    }
  }

  /** Named queries over a range, each answering on its own. */
  async query(
    name: string,
    input: ParsedMetricsQuery,
    caller: Caller,
  ): Promise<MetricsQueryResponse> {
    const definitions = input.queries.map((id, i) => {
      const q = this.catalogue.get(id);
      if (!q)
        throw fieldError(
          `queries.${i}`,
          `'${id}' is not a named query (GET /metrics/queries)`,
        );
      return q;
    });
    const range = resolveRange(input.range, this.settings);
    const params = input.params ?? {};
    if ((params.namespace === undefined) !== (params.workload === undefined))
      throw fieldError(
        params.namespace ? 'params.workload' : 'params.namespace',
        'namespace and workload go together',
      );
    const reader = await this.open(name, caller);
    try {
      const ctx = this.context(reader, range, {
        ...(params.namespace &&
          params.workload && {
            pods: {
              namespace: params.namespace,
              regex: podRegex(params.kind ?? 'Deployment', params.workload),
            },
          }),
      });
      const results = await Promise.all(
        definitions.map(q => this.run(reader, q, range, ctx)),
      );
      return this.response(range, results);
    } finally {
      reader.close();
    }
  }

  response(
    range: ResolvedRange,
    results: MetricsResult[],
  ): MetricsQueryResponse {
    return {
      start: range.start,
      end: range.end,
      stepSeconds: range.step,
      windowSeconds: range.window,
      results,
    };
  }

  /** Which exporters the cluster's Prometheus has, and the server itself. */
  async metricsSources(name: string, caller: Caller): Promise<MetricsSources> {
    const reader = await this.open(name, caller);
    try {
      const sel = selectorFor(this.settings, reader.clusterLabel);
      return await this.sources.get(reader.name, async () => {
        const prometheus = await testPrometheus(
          reader.prometheus,
          this.settings.queryTimeoutSeconds * 1000,
        );
        const exporters: ExporterFound[] = await Promise.all(
          EXPORTERS.map(async e => {
            const job = sel(e.exporter);
            let found = false;
            if (prometheus.ok) {
              const series = await reader.prometheus
                .query(
                  `count(${e.metric}{${job}})`,
                  this.settings.queryTimeoutSeconds,
                )
                .catch(() => []);
              found = (series[0]?.points[0]?.[1] ?? 0) > 0;
            }
            return { exporter: e.exporter, found, job, adds: e.adds };
          }),
        );
        return { prometheus, exporters, checkedAt: new Date().toISOString() };
      });
    } finally {
      reader.close();
    }
  }

  /** Raw PromQL: off unless configured, its own permission, audited with the expression. */
  async raw(
    name: string,
    input: { query: string; range: Parameters<typeof resolveRange>[0] },
    caller: Caller,
  ): Promise<MetricsQueryResponse> {
    if (!this.settings.allowRawQueries)
      throw new NotFoundError(
        'raw PromQL queries are off (clusterRegistry.metrics.allowRawQueries)',
      );
    const range = resolveRange(input.range, this.settings);
    const event = await this.auditor?.createEvent({
      eventId: 'cluster-metrics-raw-query',
      request: caller.request,
      severityLevel: 'medium',
      meta: { cluster: name, query: input.query },
    });
    try {
      const reader = await this.open(name, caller, true);
      try {
        const result = await this.run(
          reader,
          {
            id: 'raw',
            title: 'Raw query',
            unit: 'count',
            scope: 'cluster',
            requires: 'application',
            description: '',
            expr: () => input.query,
          },
          range,
          this.context(reader, range),
        );
        await event?.success({ meta: { cluster: name } });
        return this.response(range, [result]);
      } finally {
        reader.close();
      }
    } catch (error) {
      await event?.fail({ error: error as Error, meta: { cluster: name } });
      throw error;
    }
  }

  /** The application queries of one workload (entity metrics). */
  async workloadResults(
    reader: WithPrometheus,
    workload: {
      kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
      namespace: string;
      name: string;
    },
    family: HttpFamily,
    range: ResolvedRange,
  ): Promise<MetricsResult[]> {
    const ctx = this.context(reader, range, {
      pods: {
        namespace: workload.namespace,
        regex: podRegex(workload.kind, workload.name),
      },
      family,
    });
    const ids = [
      'app.requestRate',
      'app.errorRatio',
      'app.latency',
      'workload.cpu',
      'workload.memory',
      'workload.cpuRequests',
      'workload.memoryRequests',
      'workload.restarts',
    ];
    const results = await Promise.all(
      ids.map(id => this.run(reader, this.catalogue.get(id)!, range, ctx)),
    );
    // Each series says which workload it belongs to.
    return results.map(r => ({
      ...r,
      series: r.series?.map(s => ({
        ...s,
        labels: {
          ...s.labels,
          workload: `${workload.namespace}/${workload.name}`,
        },
      })),
    }));
  }

  /** Instant values of named queries (the last 15 minutes' window), for the insight view. */
  private async instant(
    reader: ClusterReader,
    ids: string[],
  ): Promise<MetricsResult[] | undefined> {
    if (!reader.prometheus) return undefined;
    const range = resolveRange({ last: '15m' }, this.settings);
    const ctx = this.context(reader, range);
    return Promise.all(
      ids.map(id =>
        this.run(
          reader as WithPrometheus,
          this.catalogue.get(id)!,
          range,
          ctx,
          true,
        ),
      ),
    );
  }

  /** Instant values of node usage, by node name (for the nodes table). */
  async nodeUsage(
    reader: ClusterReader,
  ): Promise<Map<string, { cpu?: number; memory?: number }>> {
    const usage = new Map<string, { cpu?: number; memory?: number }>();
    const results = await this.instant(reader, [
      'node.cpuUtilisation',
      'node.memoryUtilisation',
    ]);
    if (!results) return usage;
    const [cpu, memory] = results;
    for (const [key, result] of [
      ['cpu', cpu],
      ['memory', memory],
    ] as const) {
      for (const s of result.series ?? []) {
        const node = s.labels.node;
        const value = s.points[0]?.[1];
        if (!node || value === null || value === undefined) continue;
        usage.set(node, { ...usage.get(node), [key]: value });
      }
    }
    return usage;
  }

  /** Instant cluster totals of CPU cores and memory bytes in use. */
  async clusterUsage(
    reader: ClusterReader,
  ): Promise<{ cpu?: number; memory?: number }> {
    const results = await this.instant(reader, ['cpu.used', 'memory.used']);
    if (!results) return {};
    const value = (r: MetricsResult) =>
      r.series?.[0]?.points[0]?.[1] ?? undefined;
    return { cpu: value(results[0]), memory: value(results[1]) };
  }
}
