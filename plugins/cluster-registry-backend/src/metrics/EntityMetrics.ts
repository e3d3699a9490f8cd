import {
  isError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  EntityClusterMetrics,
  EntityMetricsResponse,
  EntityWorkload,
  METRICS_RANGES,
} from '@cluster-registry/plugin-cluster-registry-common';
import { Caller, ClusterService } from '../service/ClusterService';
import { ClusterReader } from '../service/ClusterReader';
import { fieldError } from '../service/errors';
import { familyOf } from './families';
import { MetricsService, WithPrometheus } from './MetricsService';
import { resolveRange } from './range';

/** The Kubernetes plugin's annotations that say where an entity runs. */
const KUBERNETES_ID = 'backstage.io/kubernetes-id';
const LABEL_SELECTOR = 'backstage.io/kubernetes-label-selector';
const NAMESPACE = 'backstage.io/kubernetes-namespace';

/** Clusters asked at most, and at once. */
const MAX_CLUSTERS = 50;
const CONCURRENCY = 8;

/** A label selector as the Kubernetes API takes it: label keys, values and operators only. */
const SELECTOR = /^[A-Za-z0-9_.\-/=!,() ]{1,500}$/;

const WORKLOAD_KINDS = [
  { kind: 'Deployment', path: 'deployments' },
  { kind: 'StatefulSet', path: 'statefulsets' },
  { kind: 'DaemonSet', path: 'daemonsets' },
] as const;

/**
 * Application metrics of a catalog entity across the registered clusters
 * that run it. The entity is read with the caller's credentials (catalog
 * permissions apply); its workloads are found through the API servers as the
 * Kubernetes plugin finds them; their metrics come from each cluster's
 * Prometheus with named queries only.
 */
export class EntityMetrics {
  constructor(
    private readonly clusters: ClusterService,
    private readonly metrics: MetricsService,
    private readonly catalog: CatalogService,
  ) {}

  async query(
    input: {
      entityRef: string;
      range: {
        last?: keyof typeof METRICS_RANGES;
        start?: string;
        end?: string;
      };
      categories?: string[];
    },
    caller: Caller,
  ): Promise<EntityMetricsResponse> {
    await this.clusters.authorizeRead(caller);
    const range = resolveRange(input.range, this.metrics.settings);
    let entity;
    try {
      entity = await this.catalog.getEntityByRef(input.entityRef, {
        credentials: caller.credentials,
      });
    } catch (e) {
      if (isError(e) && e.name === 'NotAllowedError') throw e;
      throw new ServiceUnavailableError(
        `the catalog could not be asked for ${input.entityRef}: ${
          isError(e) ? e.message : String(e)
        }`,
      );
    }
    if (!entity)
      throw fieldError(
        'entityRef',
        `no entity ${input.entityRef}`,
        NotFoundError,
      );
    const annotations = entity.metadata.annotations ?? {};
    const id = annotations[KUBERNETES_ID];
    const labelSelector =
      annotations[LABEL_SELECTOR] ??
      (id ? `${KUBERNETES_ID}=${id}` : undefined);
    const base = {
      entityRef: input.entityRef,
      stepSeconds: range.step,
    };
    const family = familyOf(annotations);
    let unusable: string | undefined;
    if (!labelSelector)
      unusable = `the entity has neither ${KUBERNETES_ID} nor ${LABEL_SELECTOR}`;
    else if ('error' in family) unusable = family.error;
    else if (!SELECTOR.test(labelSelector))
      unusable = `${LABEL_SELECTOR} is not a label selector`;
    if (unusable || !labelSelector || 'error' in family)
      return {
        ...base,
        family: 'error' in family ? '' : family.id,
        clusters: [],
        searched: 0,
        selector: unusable,
      };
    const namespace = annotations[NAMESPACE];

    // Registered clusters with Prometheus (and in the categories asked for).
    const candidates: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.clusters.listClusters(
        { categories: input.categories, limit: 500, cursor },
        caller,
      );
      for (const c of page.items)
        if (c.prometheus && !c.isolated && candidates.length < MAX_CLUSTERS)
          candidates.push(c.name);
      cursor = page.nextCursor;
    } while (cursor && candidates.length < MAX_CLUSTERS);

    const results: EntityClusterMetrics[] = [];
    let next = 0;
    const worker = async () => {
      while (next < candidates.length) {
        const name = candidates[next++];
        const found = await this.inCluster(
          name,
          labelSelector,
          namespace,
          family,
          range,
        );
        if (found) results.push(found);
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, candidates.length) }, worker),
    );
    return {
      ...base,
      family: family.id,
      selector: `${labelSelector}${
        namespace ? ` in namespace ${namespace}` : ''
      }`,
      clusters: results.sort((a, b) => (a.cluster < b.cluster ? -1 : 1)),
      searched: candidates.length,
    };
  }

  /** The entity's workloads in one cluster and their metrics; undefined where it does not run. */
  private async inCluster(
    name: string,
    labelSelector: string,
    namespace: string | undefined,
    family: Exclude<ReturnType<typeof familyOf>, { error: string }>,
    range: ReturnType<typeof resolveRange>,
  ): Promise<EntityClusterMetrics | undefined> {
    let reader: ClusterReader | undefined;
    try {
      reader = await this.clusters.openInternal(
        await this.clusters.readWithSecrets(name),
      );
      const record = reader.record;
      const workloads: Array<
        EntityWorkload & { kind: 'Deployment' | 'StatefulSet' | 'DaemonSet' }
      > = [];
      for (const { kind, path } of WORKLOAD_KINDS) {
        const scope = namespace
          ? `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/${path}`
          : `/apis/apps/v1/${path}`;
        const res = await reader.kube(
          'GET',
          `${scope}?labelSelector=${encodeURIComponent(
            labelSelector,
          )}&limit=50`,
        );
        if (res.status !== 200 || !Array.isArray(res.body?.items)) continue;
        for (const w of res.body.items) {
          const status = w?.status ?? {};
          workloads.push({
            kind,
            namespace: String(w?.metadata?.namespace ?? '').slice(0, 63),
            name: String(w?.metadata?.name ?? '').slice(0, 253),
            desiredReplicas:
              kind === 'DaemonSet'
                ? Number(status.desiredNumberScheduled ?? 0)
                : Number(w?.spec?.replicas ?? 1),
            availableReplicas:
              kind === 'DaemonSet'
                ? Number(status.numberAvailable ?? 0)
                : Number(status.availableReplicas ?? 0),
          });
        }
      }
      if (!workloads.length) return undefined;
      const summary = {
        cluster: name,
        title: record.title,
        ...(record.category && { category: record.category }),
        workloads,
      };
      if (!reader.prometheus) return { ...summary, results: [] };
      const withPrometheus = reader as WithPrometheus;
      const perWorkload = await Promise.all(
        workloads
          .slice(0, 5)
          .map(w =>
            this.metrics.workloadResults(withPrometheus, w, family, range),
          ),
      );
      // One result per query, with the series of every workload.
      const merged = perWorkload[0].map((first, i) => ({
        ...first,
        series: perWorkload.flatMap(r => r[i].series ?? []),
        ...(perWorkload.every(r => r[i].error) && { error: first.error }),
      }));
      return { ...summary, results: merged };
    } catch (e) {
      return {
        cluster: name,
        workloads: [],
        results: [],
        error: e instanceof Error ? e.message : String(e),
      };
    } finally {
      reader?.close();
    }
  }
}
