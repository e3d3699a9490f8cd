import type {
  ClusterCapacity,
  ClusterNode,
} from '@cluster-registry/plugin-cluster-registry-common';
import { parseQuantity } from './quantities';

/** Sums of the requests and limits of pods that have not finished, and their count per node. */
export interface PodTotals {
  cpuRequests: number;
  cpuLimits: number;
  memoryRequests: number;
  memoryLimits: number;
  pods: number;
  perNode: Map<string, number>;
}

export function emptyPodTotals(): PodTotals {
  return {
    cpuRequests: 0,
    cpuLimits: 0,
    memoryRequests: 0,
    memoryLimits: 0,
    pods: 0,
    perNode: new Map(),
  };
}

/**
 * Adds one pod as the scheduler counts it: the larger of the sum of its
 * containers and its largest init container, per resource.
 */
export function addPod(totals: PodTotals, pod: any) {
  const phase = pod?.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return;
  const spec = pod?.spec ?? {};
  const sum = (containers: any[], kind: 'requests' | 'limits', r: string) =>
    containers.reduce(
      (acc, c) => acc + (parseQuantity(c?.resources?.[kind]?.[r]) ?? 0),
      0,
    );
  const max = (containers: any[], kind: 'requests' | 'limits', r: string) =>
    containers.reduce(
      (acc, c) => Math.max(acc, parseQuantity(c?.resources?.[kind]?.[r]) ?? 0),
      0,
    );
  const containers = Array.isArray(spec.containers) ? spec.containers : [];
  const init = Array.isArray(spec.initContainers) ? spec.initContainers : [];
  const of = (kind: 'requests' | 'limits', r: string) =>
    Math.max(sum(containers, kind, r), max(init, kind, r));
  totals.cpuRequests += of('requests', 'cpu');
  totals.cpuLimits += of('limits', 'cpu');
  totals.memoryRequests += of('requests', 'memory');
  totals.memoryLimits += of('limits', 'memory');
  totals.pods += 1;
  const node = typeof spec.nodeName === 'string' ? spec.nodeName : undefined;
  if (node) totals.perNode.set(node, (totals.perNode.get(node) ?? 0) + 1);
}

/** Capacity tiles from the nodes, the pods (when all were read) and Prometheus usage. */
export function clusterCapacity(
  nodes: ClusterNode[],
  pods: PodTotals | undefined,
  used: { cpu?: number; memory?: number },
): ClusterCapacity {
  const total = (pick: (n: ClusterNode) => number | undefined) =>
    nodes.reduce((acc, n) => acc + (pick(n) ?? 0), 0);
  return {
    cpu: {
      capacity: total(n => n.capacity.cpu),
      allocatable: total(n => n.allocatable.cpu),
      ...(pods && { requested: pods.cpuRequests, limits: pods.cpuLimits }),
      ...(used.cpu !== undefined && { used: used.cpu }),
    },
    memory: {
      capacity: total(n => n.capacity.memoryBytes),
      allocatable: total(n => n.allocatable.memoryBytes),
      ...(pods && {
        requested: pods.memoryRequests,
        limits: pods.memoryLimits,
      }),
      ...(used.memory !== undefined && { used: used.memory }),
    },
    pods: {
      capacity: total(n => n.capacity.pods),
      allocatable: total(n => n.allocatable.pods),
      ...(pods && { used: pods.pods, requested: pods.pods }),
    },
  };
}
