import { alertApiRef } from '@backstage/core-plugin-api';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  MockPermissionApi,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Cluster } from '@cluster-registry/plugin-cluster-registry-common';
import { Route, Routes } from 'react-router-dom';
import { clusterRegistryApiRef } from '../api';
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

/** Renders the page for prod-eu-1 (with overrides) with the given permission decision. */
export async function renderPage(
  allowed: boolean,
  overrides: Partial<Cluster> = {},
) {
  const shown = { ...cluster, ...overrides };
  const api = mockClusterRegistryApi({
    getCluster: async () => shown,
    listCategories: async () => [{ name: 'prod' }, { name: 'qa' }],
    refreshCluster: async () => shown,
    acceptSshHostKey: async () => shown,
    deleteCluster: async () => {},
    updateCluster: async (_name, changes) =>
      ({ ...shown, ...changes } as Cluster),
    rotateCredentials: async () => shown,
  });
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [clusterRegistryApiRef, api],
        [
          permissionApiRef,
          new MockPermissionApi(() =>
            allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
          ),
        ],
        [alertApiRef, { post: jest.fn(), alert$: jest.fn() }],
      ]}
    >
      <FreshPermissions>
        <Routes>
          <Route path="/clusters/:name" element={<ClusterPage />} />
          <Route path="/clusters" element={<div>cluster list</div>} />
        </Routes>
      </FreshPermissions>
    </TestApiProvider>,
    {
      routeEntries: ['/clusters/prod-eu-1'],
      mountedRoutes: { '/clusters': rootRouteRef },
    },
  );
  return api;
}
