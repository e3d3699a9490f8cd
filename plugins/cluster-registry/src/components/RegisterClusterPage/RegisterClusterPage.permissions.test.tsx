import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  MockPermissionApi,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { screen, waitFor } from '@testing-library/react';
import { clusterRegistryApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { mockClusterRegistryApi } from '../../__testUtils__/mockApi';
import { ClusterListPage } from '../ClusterListPage';
import { RegisterClusterPage } from './RegisterClusterPage';

// A file of its own: usePermission caches decisions module-wide (SWR).
describe('registration without permission', () => {
  const permissionApi = new MockPermissionApi(() => AuthorizeResult.DENY);
  const authorize = jest.spyOn(permissionApi, 'authorize');
  const apis = [
    [
      clusterRegistryApiRef,
      mockClusterRegistryApi({
        listClusters: async () => ({ items: [], totalCount: 0 }),
      }),
    ],
    [permissionApiRef, permissionApi],
  ] as const;

  it('hides "Register cluster" on the list', async () => {
    await renderInTestApp(
      <TestApiProvider apis={apis as any}>
        <ClusterListPage />
      </TestApiProvider>,
      { mountedRoutes: { '/clusters': rootRouteRef } },
    );
    expect(
      await screen.findByText('No clusters registered yet'),
    ).toBeInTheDocument();
    // Decided (DENY), not merely still loading:
    await waitFor(() => expect(authorize).toHaveBeenCalled());
    await authorize.mock.results[0].value;
    await new Promise(r => setTimeout(r, 50));
    expect(screen.queryByText('Register cluster')).toBeNull();
  });

  it('explains instead of showing the forms', async () => {
    await renderInTestApp(
      <TestApiProvider apis={apis as any}>
        <RegisterClusterPage />
      </TestApiProvider>,
      { mountedRoutes: { '/clusters': rootRouteRef } },
    );
    expect(
      await screen.findByText('You may not register clusters', {
        exact: false,
      }),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Verify' })).toBeNull();
  });
});
