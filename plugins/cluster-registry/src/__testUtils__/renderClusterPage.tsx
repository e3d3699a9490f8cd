import { alertApiRef } from '@backstage/core-plugin-api';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  MockPermissionApi,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  Cluster,
  ClusterEventList,
  ClusterInsight,
  MetricsQueryResponse,
} from '@cluster-registry/plugin-cluster-registry-common';
import { Route, Routes, useLocation } from 'react-router-dom';
import { ClusterRegistryApi, clusterRegistryApiRef } from '../api';
import { mockClusterRegistryApi } from './mockApi';
import { rootRouteRef } from '../routes';
import { ClusterPage } from '../components/ClusterPage';
import { FreshPermissions } from './FreshPermissions';

export const cluster: Cluster = {
  name: 'prod-eu-1',
  title: 'Prod EU 1',
  labels: { region: 'eu' },
  isolated: false,
  serverUrl: 'https://10.0.0.1:6443',
  auth: { type: 'bearerToken', tokenSet: true },
  tls: { insecureSkipTlsVerify: true },
  connection: { method: 'direct' },
  status: {
    state: 'running',
    kubernetesVersion: 'v1.27.3',
    versionSupported: false,
    nodeCount: 4,
    permissionLevel: 'read',
  },
  origin: { type: 'registered' },
  category: 'prod',
  owner: 'group:default/platform',
  createdAt: '2026-11-22T00:00:00Z',
  updatedAt: '2026-11-22T00:00:00Z',
  createdBy: 'user:default/guest',
  updatedBy: 'user:default/guest',
};

/** What the API server of prod-eu-1 says: two nodes, one with problems. */
export const insight: ClusterInsight = {
  cluster: 'prod-eu-1',
  checkedAt: '2026-11-22T00:00:00Z',
  version: {
    version: 'v1.27.3',
    minor: '1.27',
    status: 'unsupported',
    message: 'out of support: 6 minor(s) below the window 1.33–1.35',
    provider: 'upstream',
    window: { oldest: '1.33', newest: '1.35' },
  },
  nodes: {
    items: [
      {
        name: 'cp-1',
        roles: ['control-plane'],
        status: 'Ready',
        unschedulable: false,
        problems: [],
        kubeletVersion: 'v1.27.3',
        operatingSystem: 'linux',
        architecture: 'amd64',
        taints: [
          {
            key: 'node-role.kubernetes.io/control-plane',
            effect: 'NoSchedule',
          },
        ],
        capacity: { cpu: 4, memoryBytes: 8 * 1024 ** 3, pods: 110 },
        allocatable: { cpu: 3.5, memoryBytes: 7 * 1024 ** 3, pods: 110 },
        podCount: 12,
        usage: { cpu: 0.25, memory: 0.5 },
        createdAt: '2026-11-01T00:00:00Z',
      },
      {
        name: 'worker-old',
        roles: [],
        status: 'NotReady',
        unschedulable: true,
        problems: ['DiskPressure'],
        kubeletVersion: 'v1.23.1',
        versionSkew: {
          message:
            'kubelet v1.23.1 is more than three minors older than the API server v1.27.3',
        },
        taints: [],
        capacity: { cpu: 2 },
        allocatable: { cpu: 2 },
        createdAt: '2026-11-01T00:00:00Z',
      },
    ],
  },
  capacity: {
    value: {
      cpu: { requested: 1.5, allocatable: 5.5 },
      memory: {
        used: 2 * 1024 ** 3,
        requested: 1024 ** 3,
        allocatable: 7 * 1024 ** 3,
      },
      pods: { used: 12, allocatable: 110 },
    },
  },
  access: {
    items: [
      {
        verb: '*',
        resource: '*',
        group: '*',
        allowed: false,
        description: 'everything (cluster-admin)',
      },
      {
        verb: 'list',
        resource: 'nodes',
        allowed: true,
        description: 'list nodes (the nodes table)',
      },
      {
        verb: 'get',
        resource: 'secrets',
        allowed: true,
        description: 'read Secrets: more than a read-only portal needs',
      },
    ],
  },
};

/** Warnings, or all events when asked for `all`. */
export function events(type?: string): ClusterEventList {
  const warning = {
    type: 'Warning',
    reason: 'FailedScheduling',
    message: '0/2 nodes are available',
    count: 3,
    object: { kind: 'Pod', name: 'web-1', namespace: 'shop' },
    lastSeen: '2026-11-22T00:00:00Z',
  };
  const normal = {
    type: 'Normal',
    reason: 'Scheduled',
    message: 'Successfully assigned shop/web-2 to cp-1',
    count: 1,
    object: { kind: 'Pod', name: 'web-2', namespace: 'shop' },
  };
  return {
    items: type === 'all' ? [warning, normal] : [warning],
    warningCount: 1,
  };
}

/** Chart results: CPU with points (and a gap), pods with none, the API failing. */
export function metrics(queries: string[]): MetricsQueryResponse {
  const now = 1_790_000_000;
  return {
    start: now - 3600,
    end: now,
    stepSeconds: 60,
    windowSeconds: 240,
    results: queries.map(id => {
      if (id === 'cpu.utilisation')
        return {
          id,
          title: 'CPU utilisation',
          unit: 'ratio' as const,
          series: [
            {
              labels: {},
              points: [
                [now - 180, 0.2],
                [now - 120, null],
                [now - 60, 0.4],
                [now, 0.3],
              ],
            },
          ],
        };
      if (id.startsWith('api.'))
        return {
          id,
          title: id,
          unit: 'perSecond' as const,
          error: 'no apiserver_request_total series (scrape the API server)',
        };
      return { id, title: id, unit: 'count' as const, series: [] };
    }),
  };
}

/** Shows the URL's query string, to check what the page keeps there. */
function LocationProbe() {
  return <div data-testid="location">{useLocation().search}</div>;
}

/** The insight and metrics calls, answered with the data above. */
const insightApi: Partial<ClusterRegistryApi> = {
  getClusterInsight: async () => insight,
  listClusterEvents: async (_name, query) => events(query?.type),
  getMetricsSources: async () => ({
    prometheus: { ok: true, version: '2.42.0', seriesCount: 3 },
    exporters: [
      {
        exporter: 'apiserver',
        found: true,
        job: 'job="apiserver"',
        adds: 'API server request rate',
      },
      {
        exporter: 'cadvisor',
        found: false,
        job: 'job="cadvisor"',
        adds: 'container CPU and memory per pod',
      },
    ],
    checkedAt: '2026-11-22T00:00:00Z',
  }),
  queryClusterMetrics: async (_name, request) => metrics(request.queries),
};

/** Renders the page for prod-eu-1 (with overrides) with the given permission decision. */
export async function renderPage(
  /** Every permission, or a decision by permission name. */
  allowed: boolean | ((permission: string) => boolean),
  overrides: Partial<Cluster> = {},
  options: {
    api?: Partial<ClusterRegistryApi>;
    route?: string;
    /**
     * Answer the insight and metrics calls with the data above. Without it
     * they stay pending (the page's other tests do not pay for rendering
     * the tables and charts).
     */
    insight?: boolean;
  } = {},
) {
  const shown = { ...cluster, ...overrides };
  const pending = () => new Promise<never>(() => {});
  const api = mockClusterRegistryApi({
    ...(options.insight
      ? insightApi
      : {
          getClusterInsight: pending,
          listClusterEvents: pending,
          getMetricsSources: pending,
          queryClusterMetrics: pending,
        }),
    getCluster: async () => shown,
    listCategories: async () => [{ name: 'prod' }, { name: 'qa' }],
    refreshCluster: async () => shown,
    acceptSshHostKey: async () => shown,
    deleteCluster: async () => {},
    removeServiceAccount: async () => ({ removed: [] }),
    updateCluster: async (_name, changes) =>
      ({ ...shown, ...changes } as Cluster),
    rotateCredentials: async () => shown,
    ...options.api,
  });
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [clusterRegistryApiRef, api],
        [
          permissionApiRef,
          new MockPermissionApi(request =>
            (
              typeof allowed === 'function'
                ? allowed(request.permission.name)
                : allowed
            )
              ? AuthorizeResult.ALLOW
              : AuthorizeResult.DENY,
          ),
        ],
        [alertApiRef, { post: jest.fn(), alert$: jest.fn() }],
      ]}
    >
      <FreshPermissions>
        <Routes>
          <Route
            path="/clusters/:name"
            element={
              <>
                <ClusterPage />
                <LocationProbe />
              </>
            }
          />
          <Route path="/clusters" element={<div>cluster list</div>} />
        </Routes>
      </FreshPermissions>
    </TestApiProvider>,
    {
      routeEntries: [options.route ?? '/clusters/prod-eu-1'],
      mountedRoutes: { '/clusters': rootRouteRef },
    },
  );
  return api;
}
