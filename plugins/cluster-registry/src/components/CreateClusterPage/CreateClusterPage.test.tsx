import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  MockPermissionApi,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { clusterRegistryApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { cluster } from '../../__testUtils__/renderClusterPage';
import { mockClusterRegistryApi } from '../../__testUtils__/mockApi';
import { FreshPermissions } from '../../__testUtils__/FreshPermissions';
import { CreateClusterPage } from './CreateClusterPage';

const EKS = {
  id: 'eks',
  title: 'Amazon EKS',
  eks: {
    regions: ['eu-west-1', 'us-east-1'],
    defaultRegion: 'eu-west-1',
    kubernetesVersions: ['1.33', '1.34'],
    defaultKubernetesVersion: '1.34',
  },
};

function renderCreate(
  api: ReturnType<typeof mockClusterRegistryApi>,
  result: AuthorizeResult.ALLOW | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [clusterRegistryApiRef, api],
        [permissionApiRef, new MockPermissionApi(() => result)],
      ]}
    >
      <FreshPermissions>
        <Routes>
          <Route path="/clusters/create" element={<CreateClusterPage />} />
          <Route path="/clusters/:name" element={<p>cluster page</p>} />
        </Routes>
      </FreshPermissions>
    </TestApiProvider>,
    {
      routeEntries: ['/clusters/create'],
      mountedRoutes: { '/clusters': rootRouteRef },
    },
  );
}

const type = (label: string, value: string) =>
  fireEvent.change(
    screen.getByLabelText(new RegExp(`^${label}`), {
      selector: 'input, textarea',
    }),
    {
      target: { value },
    },
  );

describe('CreateClusterPage', () => {
  it('checks the EKS rules at the fields before sending anything', async () => {
    const api = mockClusterRegistryApi({ listProvisioners: async () => [EKS] });
    await renderCreate(api);
    type('Name', 'payments-qa');
    type('VPC CIDR', '10.0.1.0/16');
    type('Availability zones', 'eu-west-1a');
    fireEvent.click(screen.getByRole('checkbox', { name: /^Public endpoint/ }));
    fireEvent.click(
      screen.getByRole('checkbox', { name: /^Private endpoint/ }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Create EKS cluster' }));
    expect(await screen.findByText(/did you mean 10.0.0.0\/16/)).toBeVisible();
    expect(screen.getByText(/needs at least 2 zones/)).toBeVisible();
    expect(screen.getByText(/cannot both be off/)).toBeVisible();
    expect(api.provisionCluster).not.toHaveBeenCalled();
  });

  it('sends the request with the configured defaults and opens the new cluster', async () => {
    const api = mockClusterRegistryApi({
      listProvisioners: async () => [EKS],
      provisionCluster: async () => ({
        cluster: { ...cluster, name: 'payments-qa' },
        request: {
          id: 'r',
          cluster: 'payments-qa',
          provider: 'eks',
          operation: 'create',
          state: 'running',
          steps: [],
          createdAt: '',
          createdBy: '',
          updatedAt: '',
        },
      }),
    });
    await renderCreate(api);
    type('Name', 'payments-qa');
    type('Private access CIDRs', '10.1.0.0/16, 10.2.0.0/16');
    type('Team', 'payments');
    fireEvent.click(screen.getByLabelText(/^ConfigMap \(legacy\)/));
    fireEvent.click(screen.getByRole('button', { name: 'Create EKS cluster' }));
    await waitFor(() =>
      expect(screen.getByText('cluster page')).toBeInTheDocument(),
    );
    expect(api.provisionCluster).toHaveBeenCalledWith(
      expect.objectContaining({
        name: 'payments-qa',
        provider: 'eks',
        eks: expect.objectContaining({
          region: 'eu-west-1',
          kubernetesVersion: '1.34',
          vpcCidr: '10.20.0.0/16',
          authenticationMode: 'CONFIG_MAP',
          privateAccessCidrs: ['10.1.0.0/16', '10.2.0.0/16'],
          team: 'payments',
        }),
      }),
    );
  });

  it('says so when no provider is configured', async () => {
    await renderCreate(mockClusterRegistryApi());
    expect(
      await screen.findByText(/This portal creates no clusters/),
    ).toBeVisible();
  });

  it('says so when the user may not create clusters', async () => {
    await renderCreate(
      mockClusterRegistryApi({ listProvisioners: async () => [EKS] }),
      AuthorizeResult.DENY,
    );
    expect(
      await screen.findByText(/You may not create clusters/),
    ).toBeVisible();
  });
});
