import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  MockPermissionApi,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { Cluster } from '@cluster-registry/plugin-cluster-registry-common';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { ClusterRegistryApi, clusterRegistryApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { mockClusterRegistryApi } from '../../__testUtils__/mockApi';
import { ClusterListPage } from './ClusterListPage';

const mountedRoutes = { '/clusters': rootRouteRef };

const cluster = (name: string, overrides: Partial<Cluster> = {}): Cluster => ({
  name,
  title: name.toUpperCase(),
  labels: {},
  isolated: false,
  serverUrl: `https://${name}.example:6443`,
  tls: { insecureSkipTlsVerify: false },
  connection: { method: 'direct' },
  status: { state: 'running', kubernetesVersion: 'v1.36.3', nodeCount: 3 },
  origin: { type: 'registered' },
  category: 'prod',
  createdAt: '2026-11-22T00:00:00Z',
  updatedAt: '2026-11-22T00:00:00Z',
  createdBy: 'user:default/guest',
  updatedBy: 'user:default/guest',
  ...overrides,
});

function mockApi(items: Cluster[]): jest.Mocked<ClusterRegistryApi> {
  return mockClusterRegistryApi({
    listClusters: async () => ({ items, totalCount: items.length }),
    listCategories: async () => [
      { name: 'prod', color: '#d32f2f' },
      { name: 'qa' },
    ],
  });
}

function renderList(api: ReturnType<typeof mockApi>, routeEntries?: string[]) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [clusterRegistryApiRef, api],
        [permissionApiRef, new MockPermissionApi(() => AuthorizeResult.ALLOW)],
      ]}
    >
      <ClusterListPage />
    </TestApiProvider>,
    { mountedRoutes, routeEntries },
  );
}

describe('ClusterListPage', () => {
  it('shows clusters with state, credential expiry, category, version and nodes', async () => {
    const day = 24 * 3600_000;
    const api = mockApi([
      cluster('prod-eu-1'),
      cluster('expiring', {
        auth: {
          type: 'bearerToken',
          tokenSet: true,
          expiresAt: new Date(Date.now() + 5.5 * day).toISOString(),
        },
      }),
      cluster('expired', {
        auth: {
          type: 'clientCertificate',
          certData: 'x',
          keySet: true,
          expiresAt: new Date(Date.now() - day).toISOString(),
        },
        status: { state: 'unauthorized' },
      }),
      cluster('later', {
        auth: {
          type: 'bearerToken',
          tokenSet: true,
          expiresAt: new Date(Date.now() + 30 * day).toISOString(),
        },
      }),
      cluster('air', {
        isolated: true,
        serverUrl: undefined,
        status: { state: 'isolated', message: 'isolated cluster: not probed' },
      }),
    ]);
    await renderList(api);
    expect(await screen.findByText('PROD-EU-1')).toBeInTheDocument();
    expect(screen.getByText('Clusters (5)')).toBeInTheDocument();
    // Within the default 14 days, and once expired; not 30 days ahead.
    expect(screen.getByText('credentials expire in 5d')).toBeInTheDocument();
    expect(screen.getByText('credentials expired')).toBeInTheDocument();
    expect(screen.getAllByText(/^credentials expire/)).toHaveLength(2);
    expect(
      screen.getByText('https://prod-eu-1.example:6443'),
    ).toBeInTheDocument();
    // Neither the isolated one nor the unauthorized one has a version.
    expect(screen.getAllByText('v1.36.3')).toHaveLength(3);
    expect(
      screen.getByText('isolated', { selector: 'td' }),
    ).toBeInTheDocument();
  });

  it('shows a health trend per row, from one request for the clusters on the page', async () => {
    const api = mockApi([
      cluster('prod-eu-1'),
      cluster('qa-1'),
      cluster('air', { isolated: true, status: { state: 'isolated' } }),
    ]);
    api.getHealthTrends.mockImplementation(async () => ({
      items: [
        {
          cluster: 'prod-eu-1',
          samples: [
            { at: '2026-11-22T00:00:00Z', state: 'running', latencyMs: 20 },
            { at: '2026-11-22T00:05:00Z', state: 'unreachable' },
            { at: '2026-11-22T00:10:00Z', state: 'running', latencyMs: 40 },
          ],
        },
        { cluster: 'qa-1', samples: [] },
      ],
    }));
    await renderList(api);
    expect(
      await screen.findByRole('img', {
        name: 'last 3 checks: running 2, unreachable 1; latest 40 ms',
      }),
    ).toBeInTheDocument();
    expect(screen.getByText('Health trend')).toBeInTheDocument();
    expect(api.getHealthTrends).toHaveBeenCalledTimes(1);
    expect(api.getHealthTrends).toHaveBeenCalledWith(['prod-eu-1', 'qa-1']);
  });

  it('filters by several categories through the URL', async () => {
    const api = mockApi([cluster('a')]);
    await renderList(api, ['/clusters?category=qa']);
    await waitFor(() =>
      expect(api.listClusters).toHaveBeenLastCalledWith(
        expect.objectContaining({ categories: ['qa'] }),
      ),
    );
    fireEvent.click(await screen.findByRole('button', { name: 'prod' }));
    await waitFor(() =>
      expect(api.listClusters).toHaveBeenLastCalledWith(
        expect.objectContaining({ categories: ['qa', 'prod'] }),
      ),
    );
    // One request per filter state: changing filters does not fetch twice.
    expect(api.listClusters).toHaveBeenCalledTimes(2);
  });

  it('explains how to register the first cluster', async () => {
    await renderList(mockApi([]));
    expect(
      await screen.findByText('No clusters registered yet'),
    ).toBeInTheDocument();
    const register = await screen.findAllByText('Register cluster');
    expect(register[0].closest('a')).toHaveAttribute(
      'href',
      '/clusters/register',
    );
  });
});
