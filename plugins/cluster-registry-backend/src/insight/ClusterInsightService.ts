import {
  ClusterEvent,
  ClusterEventList,
  ClusterInsight,
  ClusterNode,
} from '@cluster-registry/plugin-cluster-registry-common';
import { KubeResponse } from '../kubernetes/request';
import { MetricsService } from '../metrics/MetricsService';
import { Caller, ClusterService } from '../service/ClusterService';
import { ClusterReader } from '../service/ClusterReader';
import { ACCESS_CHECKS, accessReview } from './access';
import { addPod, clusterCapacity, emptyPodTotals, PodTotals } from './capacity';
import { sortEvents, toClusterEvent } from './events';
import { toClusterNode } from './nodes';
import { versionSupport, VersionWindows } from './versionSupport';

/** Pages read of a list before it counts as truncated. */
const PAGE_SIZE = 250;
const MAX_NODE_PAGES = 8;
const MAX_POD_PAGES = 40;

/** Why a request answered without data, in a user's words. */
function refused(what: string, res: KubeResponse): Error {
  const reason =
    res.status === 403
      ? `the stored credentials may not ${what}`
      : `${what} answered ${res.status}`;
  return new Error(
    `${reason}${
      typeof res.body?.message === 'string'
        ? `: ${res.body.message.slice(0, 300)}`
        : ''
    }`,
  );
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * The cluster page's live view: nodes, capacity, version support, access and
 * events, read from the API server with the stored credentials (and usage
 * from Prometheus), each part on its own.
 */
export class ClusterInsightService {
  constructor(
    private readonly clusters: ClusterService,
    private readonly metrics: MetricsService,
    private readonly windows: VersionWindows,
  ) {}

  /** Every item of a list, page by page; `truncated` when more pages remain. */
  private async list(
    reader: ClusterReader,
    path: string,
    what: string,
    maxPages: number,
  ): Promise<{ items: any[]; truncated: boolean }> {
    const items: any[] = [];
    let token: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const sep = path.includes('?') ? '&' : '?';
      const res = await reader.kube(
        'GET',
        `${path}${sep}limit=${PAGE_SIZE}${
          token ? `&continue=${encodeURIComponent(token)}` : ''
        }`,
      );
      if (res.status !== 200 || !Array.isArray(res.body?.items))
        throw refused(what, res);
      items.push(...res.body.items);
      token = res.body.metadata?.continue || undefined;
      if (!token) return { items, truncated: false };
    }
    return { items, truncated: true };
  }

  async insight(name: string, caller: Caller): Promise<ClusterInsight> {
    const reader = await this.clusters.openForReading(name, caller);
    try {
      const record = reader.record;
      const checkedAt = new Date().toISOString();
      const eks = record.auth?.type === 'aws';
      if (!reader.hasApiServer) {
        const isolated =
          'the cluster is isolated: the registry does not reach its API server';
        return {
          cluster: name,
          checkedAt,
          version: versionSupport(
            record.status.kubernetesVersion,
            this.windows,
            { eks },
          ),
          nodes: { error: isolated },
          capacity: { error: isolated },
          access: { error: isolated },
        };
      }
      const versionP = reader
        .kube('GET', '/version')
        .then(res =>
          res.status === 200 && typeof res.body?.gitVersion === 'string'
            ? (res.body.gitVersion as string).slice(0, 64)
            : record.status.kubernetesVersion,
        )
        .catch(() => record.status.kubernetesVersion);
      const nodesP = this.list(
        reader,
        '/api/v1/nodes',
        'list nodes',
        MAX_NODE_PAGES,
      );
      const podsP = this.list(
        reader,
        `/api/v1/pods?fieldSelector=${encodeURIComponent(
          'status.phase!=Succeeded,status.phase!=Failed',
        )}`,
        'list pods',
        MAX_POD_PAGES,
      ).then(({ items, truncated }) => {
        if (truncated)
          throw new Error(
            `more than ${
              MAX_POD_PAGES * PAGE_SIZE
            } pods: requests are not summed`,
          );
        const totals = emptyPodTotals();
        for (const pod of items) addPod(totals, pod);
        return totals;
      });
      const usageP = this.metrics.nodeUsage(reader).catch(() => new Map());
      const clusterUsageP = this.metrics.clusterUsage(reader).catch(() => ({}));
      const accessP = Promise.all(
        ACCESS_CHECKS.map(async check => {
          const res = await reader.kube(
            'POST',
            '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
            { body: accessReview(check) },
          );
          if (res.status !== 201) throw refused('review their access', res);
          return { ...check, allowed: res.body?.status?.allowed === true };
        }),
      );

      const version = await versionP;
      const [nodes, pods, usage, used, access] = await Promise.allSettled([
        nodesP,
        podsP,
        usageP,
        clusterUsageP,
        accessP,
      ]);
      let nodeRows: ClusterNode[] | undefined;
      if (nodes.status === 'fulfilled') {
        const perNode =
          pods.status === 'fulfilled' ? pods.value.perNode : undefined;
        const usageByNode =
          usage.status === 'fulfilled' ? usage.value : new Map();
        nodeRows = nodes.value.items.map(n => {
          const row = toClusterNode(n, version);
          const u = usageByNode.get(row.name);
          return {
            ...row,
            ...(perNode && { podCount: perNode.get(row.name) ?? 0 }),
            ...(u && { usage: u }),
          };
        });
      }
      const podTotals: PodTotals | undefined =
        pods.status === 'fulfilled' ? pods.value : undefined;
      return {
        cluster: name,
        checkedAt,
        version: versionSupport(version, this.windows, { eks }),
        nodes:
          nodes.status === 'fulfilled'
            ? {
                items: nodeRows,
                ...(nodes.value.truncated && { truncated: true }),
              }
            : { error: messageOf(nodes.reason) },
        capacity: nodeRows
          ? {
              value: clusterCapacity(
                nodeRows,
                podTotals,
                used.status === 'fulfilled' ? used.value : {},
              ),
              ...(pods.status === 'rejected' && {
                error: messageOf(pods.reason),
              }),
            }
          : { error: messageOf((nodes as PromiseRejectedResult).reason) },
        access:
          access.status === 'fulfilled'
            ? { items: access.value }
            : { error: messageOf(access.reason) },
      };
    } finally {
      reader.close();
    }
  }

  /** Warnings (and, with type=all, the newest normal events), warnings first. */
  async events(
    name: string,
    query: { type: 'Warning' | 'all'; limit: number },
    caller: Caller,
  ): Promise<ClusterEventList> {
    const reader = await this.clusters.openForReading(name, caller);
    try {
      const read = async (selector: string) => {
        const res = await reader.kube(
          'GET',
          `/api/v1/events?fieldSelector=${encodeURIComponent(selector)}&limit=${
            query.limit
          }`,
        );
        if (res.status !== 200 || !Array.isArray(res.body?.items))
          throw refused('list events', res);
        const more = Number(res.body.metadata?.remainingItemCount ?? 0);
        return {
          items: (res.body.items as any[]).map(toClusterEvent),
          more: Boolean(res.body.metadata?.continue) || more > 0,
          total:
            res.body.items.length + (Number.isSafeInteger(more) ? more : 0),
        };
      };
      const warnings = await read('type=Warning');
      let items: ClusterEvent[] = warnings.items;
      let truncated = warnings.more;
      if (query.type === 'all') {
        const normal = await read('type!=Warning');
        items = [...items, ...normal.items];
        truncated ||= normal.more;
      }
      const sorted = sortEvents(items);
      return {
        items: sorted.slice(0, query.limit),
        warningCount: warnings.total,
        ...((truncated || sorted.length > query.limit) && { truncated: true }),
      };
    } finally {
      reader.close();
    }
  }
}
