import type {
  ClusterNode,
  NodeResources,
} from '@cluster-registry/plugin-cluster-registry-common';
import { parseQuantity } from './quantities';

/** Conditions that mean trouble when True (Ready is the status itself). */
const PROBLEM_CONDITIONS = new Set([
  'MemoryPressure',
  'DiskPressure',
  'PIDPressure',
  'NetworkUnavailable',
]);

const ROLE_PREFIX = 'node-role.kubernetes.io/';

/** The Ready condition's status as the nodes table says it (anything else: Unknown). */
const READY_STATUS: Record<string, ClusterNode['status']> = {
  True: 'Ready',
  False: 'NotReady',
};

/**
 * The roles of a node as kubectl reads them: every node-role.kubernetes.io/*
 * key, plus the values of kubernetes.io/role and node.kubernetes.io/role.
 * The legacy `master` reads as control-plane. No label, no role: nothing is
 * invented (a node is a "worker" only where it is labelled so).
 */
export function nodeRoles(labels: Record<string, string> = {}): string[] {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(labels)) {
    if (key.startsWith(ROLE_PREFIX) && key.length > ROLE_PREFIX.length)
      roles.add(key.slice(ROLE_PREFIX.length));
    else if (
      (key === 'kubernetes.io/role' || key === 'node.kubernetes.io/role') &&
      value
    )
      roles.add(value);
  }
  if (roles.delete('master')) roles.add('control-plane');
  return [...roles].sort().slice(0, 20);
}

function minor(version: string | undefined): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(version ?? '');
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/**
 * The version skew policy: a kubelet must not be newer than the API server
 * and may be up to three minors older.
 */
export function kubeletSkew(
  kubelet: string | undefined,
  apiServer: string | undefined,
): { message: string } | undefined {
  const k = minor(kubelet);
  const a = minor(apiServer);
  if (!k || !a || k[0] !== a[0]) return undefined;
  const behind = a[1] - k[1];
  if (behind < 0)
    return {
      message: `kubelet ${kubelet} is newer than the API server (${apiServer}); the skew policy does not allow it`,
    };
  if (behind > 3)
    return {
      message: `kubelet ${kubelet} is ${behind} minors behind the API server (${apiServer}); at most 3 are supported`,
    };
  return undefined;
}

function resources(list: Record<string, unknown> | undefined): NodeResources {
  const cpu = parseQuantity(list?.cpu);
  const memoryBytes = parseQuantity(list?.memory);
  const pods = parseQuantity(list?.pods);
  return {
    ...(cpu !== undefined && { cpu }),
    ...(memoryBytes !== undefined && { memoryBytes }),
    ...(pods !== undefined && { pods: Math.round(pods) }),
  };
}

const text = (v: unknown, max = 256) =>
  typeof v === 'string' ? v.slice(0, max) : undefined;

/** One Node object of the API as a row of the nodes table. */
export function toClusterNode(
  node: any,
  apiServerVersion: string | undefined,
): ClusterNode {
  const conditions: any[] = Array.isArray(node?.status?.conditions)
    ? node.status.conditions
    : [];
  const ready = conditions.find(c => c?.type === 'Ready');
  const info = node?.status?.nodeInfo ?? {};
  const kubeletVersion = text(info.kubeletVersion, 64) ?? '';
  const skew = kubeletSkew(kubeletVersion, apiServerVersion);
  const address = Array.isArray(node?.status?.addresses)
    ? node.status.addresses.find((a: any) => a?.type === 'InternalIP')
    : undefined;
  return {
    name: text(node?.metadata?.name, 253) ?? '',
    roles: nodeRoles(node?.metadata?.labels ?? {}),
    status: READY_STATUS[ready?.status] ?? 'Unknown',
    unschedulable: node?.spec?.unschedulable === true,
    problems: conditions
      .filter(c => PROBLEM_CONDITIONS.has(c?.type) && c?.status === 'True')
      .map(c => String(c.type)),
    kubeletVersion,
    ...(skew && { versionSkew: skew }),
    osImage: text(info.osImage),
    operatingSystem: text(info.operatingSystem, 64),
    architecture: text(info.architecture, 64),
    kernelVersion: text(info.kernelVersion, 128),
    containerRuntime: text(info.containerRuntimeVersion, 128),
    internalIp: text(address?.address, 64),
    taints: (Array.isArray(node?.spec?.taints) ? node.spec.taints : [])
      .slice(0, 50)
      .map((t: any) => ({
        key: text(t?.key) ?? '',
        ...(t?.value && { value: text(t.value) }),
        effect: text(t?.effect, 32) ?? '',
      })),
    capacity: resources(node?.status?.capacity),
    allocatable: resources(node?.status?.allocatable),
    createdAt: text(node?.metadata?.creationTimestamp, 40) ?? '',
  };
}
