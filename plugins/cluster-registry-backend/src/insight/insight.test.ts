import { addPod, clusterCapacity, emptyPodTotals } from './capacity';
import { sortEvents, toClusterEvent } from './events';
import { kubeletSkew, nodeRoles, toClusterNode } from './nodes';
import { parseQuantity } from './quantities';
import { EKS_SUPPORT_DATES, versionSupport } from './versionSupport';

describe('nodes', () => {
  it('reads roles as kubectl does, legacy master as control-plane, none invented', () => {
    expect(
      nodeRoles({
        'node-role.kubernetes.io/master': '',
        'node-role.kubernetes.io/infra': '',
        'kubernetes.io/role': 'gpu',
        'kubernetes.io/hostname': 'n1',
      }),
    ).toEqual(['control-plane', 'gpu', 'infra']);
    expect(nodeRoles({ 'kubernetes.io/hostname': 'n1' })).toEqual([]);
  });

  it('warns about kubelets outside the skew policy', () => {
    expect(kubeletSkew('v1.36.1', 'v1.36.3')).toBeUndefined();
    expect(kubeletSkew('v1.33.0', 'v1.36.3')).toBeUndefined();
    expect(kubeletSkew('v1.32.0', 'v1.36.3')?.message).toMatch(
      /4 minors behind/,
    );
    expect(kubeletSkew('v1.37.0', 'v1.36.3')?.message).toMatch(/newer/);
  });

  it('normalises a Node object, bounding what it stores', () => {
    const row = toClusterNode(
      {
        metadata: {
          name: 'n1',
          creationTimestamp: '2026-01-01T00:00:00Z',
          labels: { 'node-role.kubernetes.io/worker': '' },
        },
        spec: {
          unschedulable: true,
          taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }],
        },
        status: {
          conditions: [
            { type: 'Ready', status: 'False' },
            { type: 'DiskPressure', status: 'True' },
            { type: 'MemoryPressure', status: 'False' },
          ],
          nodeInfo: { kubeletVersion: 'v1.30.0', architecture: 'arm64' },
          capacity: { cpu: '4', memory: '16Gi', pods: '110' },
          allocatable: { cpu: '3500m', memory: '15Gi', pods: '110' },
        },
      },
      'v1.36.0',
    );
    expect(row).toMatchObject({
      name: 'n1',
      roles: ['worker'],
      status: 'NotReady',
      unschedulable: true,
      problems: ['DiskPressure'],
      architecture: 'arm64',
      capacity: { cpu: 4, memoryBytes: 16 * 2 ** 30, pods: 110 },
      allocatable: { cpu: 3.5 },
      taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }],
    });
    expect(row.versionSkew?.message).toMatch(/6 minors behind/);
    expect(toClusterNode({}, undefined).status).toBe('Unknown');
  });

  it('parses quantities, refusing what is not one', () => {
    expect(parseQuantity('250m')).toBeCloseTo(0.25);
    expect(parseQuantity('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(parseQuantity('2e3')).toBe(2000);
    expect(parseQuantity('12Q')).toBeUndefined();
    expect(parseQuantity('1'.repeat(100))).toBeUndefined();
  });
});

describe('capacity', () => {
  it('sums requests as the scheduler counts them and skips finished pods', () => {
    const totals = emptyPodTotals();
    const res = (cpu: string, memory: string) => ({
      resources: { requests: { cpu, memory }, limits: { cpu, memory } },
    });
    addPod(totals, {
      spec: {
        nodeName: 'a',
        containers: [res('100m', '64Mi'), res('200m', '64Mi')],
        initContainers: [res('500m', '32Mi')],
      },
      status: { phase: 'Running' },
    });
    addPod(totals, {
      spec: { nodeName: 'a', containers: [res('1', '1Gi')] },
      status: { phase: 'Succeeded' },
    });
    expect(totals.cpuRequests).toBeCloseTo(0.5);
    expect(totals.memoryRequests).toBe(128 * 2 ** 20);
    expect(totals.perNode.get('a')).toBe(1);
    const capacity = clusterCapacity(
      [
        toClusterNode(
          { status: { allocatable: { cpu: '2', pods: '10' } } },
          '',
        ),
      ],
      totals,
      { cpu: 0.7 },
    );
    expect(capacity.cpu).toMatchObject({
      allocatable: 2,
      requested: 0.5,
      used: 0.7,
    });
    expect(capacity.pods).toMatchObject({ allocatable: 10, used: 1 });
    expect(capacity.memory.used).toBeUndefined();
  });
});

describe('events', () => {
  it('puts warnings first, then the most recently seen', () => {
    const sorted = sortEvents(
      [
        {
          type: 'Normal',
          reason: 'Scheduled',
          lastTimestamp: '2026-01-01T00:00:03Z',
        },
        {
          type: 'Warning',
          reason: 'Old',
          lastTimestamp: '2026-01-01T00:00:01Z',
        },
        {
          type: 'Warning',
          reason: 'New',
          series: { lastObservedTime: '2026-01-01T00:00:02Z', count: 7 },
          involvedObject: { kind: 'Pod', name: 'p', namespace: 'ns' },
        },
      ].map(toClusterEvent),
    );
    expect(sorted.map(e => e.reason)).toEqual(['New', 'Old', 'Scheduled']);
    expect(sorted[0]).toMatchObject({
      count: 7,
      object: { kind: 'Pod', name: 'p', namespace: 'ns' },
    });
  });
});

describe('version support', () => {
  const windows = {
    newestMinor: '1.36',
    windowMinors: 3,
    eks: EKS_SUPPORT_DATES,
  };
  it('places upstream versions in the window', () => {
    const status = (v: string) => versionSupport(v, windows).status;
    expect(status('v1.36.3')).toBe('newest');
    expect(status('v1.35.0')).toBe('supported');
    expect(status('v1.34.2')).toBe('oldest');
    expect(status('v1.30.0')).toBe('unsupported');
    expect(status('v1.37.0')).toBe('ahead');
    expect(versionSupport(undefined, windows).status).toBe('unknown');
    expect(versionSupport('v1.36.0', windows).window).toEqual({
      oldest: '1.34',
      newest: '1.36',
    });
  });

  it('places EKS versions against the EKS dates', () => {
    const now = new Date('2026-12-02T00:00:00Z');
    const eks = (v: string) => versionSupport(v, windows, { now });
    expect(eks('v1.35.1-eks-3').status).toBe('standard');
    expect(eks('v1.33.5-eks-27')).toMatchObject({
      status: 'extended',
      endOfExtendedSupport: '2027-07-29',
    });
    expect(eks('v1.28.0-eks-1').status).toBe('unsupported');
    expect(versionSupport('v1.36.0', windows, { eks: true, now }).status).toBe(
      'unknown',
    );
  });
});
