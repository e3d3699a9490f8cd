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
import { ClusterListPage } from '../ClusterListPage';
import { RegisterClusterPage } from './RegisterClusterPage';

function renderRegister(
  api: ReturnType<typeof mockClusterRegistryApi>,
  entry = '/clusters/register',
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [clusterRegistryApiRef, api],
        [permissionApiRef, new MockPermissionApi(() => AuthorizeResult.ALLOW)],
      ]}
    >
      <FreshPermissions>
        <Routes>
          <Route path="/clusters/register" element={<RegisterClusterPage />} />
          <Route path="/clusters/:name" element={<p>cluster page</p>} />
        </Routes>
      </FreshPermissions>
    </TestApiProvider>,
    {
      routeEntries: [entry],
      mountedRoutes: { '/clusters': rootRouteRef },
    },
  );
}

const type = (label: string, value: string) =>
  fireEvent.change(
    screen.getByLabelText(new RegExp(`^${label}`), {
      selector: 'input, textarea',
    }),
    { target: { value } },
  );

describe('RegisterClusterPage', () => {
  it('checks fields with the shared rules before sending anything', async () => {
    const api = mockClusterRegistryApi();
    await renderRegister(api);
    type('Name', 'Not A Name');
    type('Server URL', 'http://plain');
    fireEvent.click(screen.getByRole('button', { name: 'Register' }));
    expect(await screen.findByText(/must be a DNS-1123 label/)).toBeVisible();
    expect(screen.getByText('must be an https:// URL')).toBeVisible();
    expect(api.createCluster).not.toHaveBeenCalled();
  });

  it('verifies, shows what it found or the failing field, then registers', async () => {
    const api = mockClusterRegistryApi({
      verifyCluster: async body =>
        (body.auth as { token: string }).token === 'good'
          ? {
              ok: true,
              kubernetesVersion: 'v1.36.3',
              versionSupported: true,
              permissionLevel: 'read',
              nodeCount: 3,
            }
          : {
              ok: false,
              reason: 'unauthorized',
              message: 'the API server rejected the credentials (401)',
              field: 'auth',
            },
      createCluster: async () => cluster,
    });
    await renderRegister(api);
    type('Name', 'prod-eu-1');
    type('Server URL', 'https://10.0.0.1:6443');
    type('Bearer token', 'bad');
    fireEvent.click(screen.getByRole('button', { name: 'Verify' }));
    expect(
      await screen.findByText(/Verification failed \(unauthorized\)/),
    ).toBeVisible();
    // ...and next to the token field.
    expect(
      document.getElementById('cluster-token-helper-text'),
    ).toHaveTextContent('the API server rejected the credentials (401)');

    type('Bearer token', 'good');
    fireEvent.click(screen.getByRole('button', { name: 'Verify' }));
    expect(
      await screen.findByText(
        'Connected: Kubernetes v1.36.3; the credentials may read; 3 node(s).',
      ),
    ).toBeVisible();
    fireEvent.click(screen.getByRole('button', { name: 'Register' }));
    expect(await screen.findByText('cluster page')).toBeVisible();
    expect(api.createCluster).toHaveBeenCalledWith(
      expect.objectContaining({
        name: 'prod-eu-1',
        auth: { type: 'bearerToken', token: 'good' },
        skipVerification: false,
      }),
    );
  });

  /** The token form with an admin token and "create a ServiceAccount" ticked. */
  async function startWithAdminToken() {
    const api = mockClusterRegistryApi({ createCluster: async () => cluster });
    await renderRegister(api);
    type('Name', 'prod-eu-1');
    type('Server URL', 'https://10.0.0.1:6443');
    type('Bearer token', 'admin-token');
    fireEvent.click(
      screen.getByLabelText('Create a ServiceAccount and keep only its token'),
    );
    return api;
  }

  it('registers with an admin token kept as nothing but a ServiceAccount of the chosen ClusterRole', async () => {
    const api = await startWithAdminToken();
    // The default role says what it allows.
    expect(
      screen.getByText(/Read most objects in every namespace/),
    ).toBeVisible();
    type('Token lifetime \\(hours\\)', '24');
    fireEvent.click(screen.getByRole('button', { name: 'Register' }));
    expect(await screen.findByText('cluster page')).toBeVisible();
    expect(api.createCluster).toHaveBeenCalledWith(
      expect.objectContaining({
        auth: { type: 'bearerToken', token: 'admin-token' },
        serviceAccount: { clusterRole: 'view', tokenLifetimeSeconds: 86_400 },
      }),
    );
  });

  it('registers with a long-lived token Secret when chosen, and says what that means', async () => {
    const api = await startWithAdminToken();
    fireEvent.mouseDown(screen.getByRole('button', { name: /^Token/ }));
    fireEvent.click(
      screen.getByRole('option', { name: 'Long-lived token Secret' }),
    );
    expect(screen.getByText(/One token that never expires/)).toBeVisible();
    // A Secret's token has no lifetime to set.
    expect(screen.queryByLabelText(/Token lifetime/)).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Register' }));
    expect(await screen.findByText('cluster page')).toBeVisible();
    expect(api.createCluster).toHaveBeenCalledWith(
      expect.objectContaining({
        serviceAccount: { clusterRole: 'view', tokenType: 'secret' },
      }),
    );
  });

  it('refuses a token lifetime under the API server’s minimum next to the field', async () => {
    const api = await startWithAdminToken();
    type('Token lifetime \\(hours\\)', '0.1');
    fireEvent.click(screen.getByRole('button', { name: 'Register' }));
    expect(
      await screen.findByText(/must be at least 600 seconds/),
    ).toBeVisible();
    expect(api.createCluster).not.toHaveBeenCalled();
  });

  it('connects through an SSH bastion with a key, shows the host key to pin, and registers pinned to the key that was shown', async () => {
    const fingerprint = `SHA256:${'c'.repeat(43)}`;
    const api = mockClusterRegistryApi({
      verifyCluster: async () => ({
        ok: true,
        kubernetesVersion: 'v1.36.3',
        versionSupported: true,
        permissionLevel: 'admin',
        sshHostKey: {
          fingerprint,
          publicKey: 'ssh-ed25519 AAAA',
          pinned: false,
        },
      }),
      createCluster: async () => cluster,
    });
    await renderRegister(api);
    type('Name', 'private-1');
    type('Server URL', 'https://api.private.example:6443');
    type('Bearer token', 'good');
    fireEvent.mouseDown(
      screen.getByRole('button', { name: /Connection method/ }),
    );
    fireEvent.click(screen.getByRole('option', { name: 'Via SSH tunnel' }));
    type('SSH host', 'bastion.example');
    type('SSH user', 'ops');
    type('SSH private key', '-----BEGIN OPENSSH PRIVATE KEY-----\nx\n');
    fireEvent.click(screen.getByRole('button', { name: 'Verify' }));
    expect(await screen.findByText(fingerprint)).toBeVisible();
    expect(screen.getByText(/registering pins it/)).toBeVisible();
    fireEvent.click(screen.getByRole('button', { name: 'Register' }));
    expect(await screen.findByText('cluster page')).toBeVisible();
    const sent = api.createCluster.mock.calls[0][0];
    expect(sent.connection).toEqual({
      method: 'sshTunnel',
      sshTunnel: {
        host: 'bastion.example',
        port: 22,
        username: 'ops',
        privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nx\n',
        hostKeys: [fingerprint],
      },
    });
  });

  it('takes what a link says of the connection (the MCP register-cluster action hands one back), never a secret', async () => {
    const fingerprint = `SHA256:${'d'.repeat(43)}`;
    const api = mockClusterRegistryApi({ createCluster: async () => cluster });
    const query = new URLSearchParams({
      name: 'private-2',
      serverUrl: 'https://api.private.example:6443',
      connectionMethod: 'sshTunnel',
      sshHost: 'bastion.example',
      sshPort: '2222',
      sshUsername: 'ops',
      sshHostKeys: fingerprint,
      sshPassword: 'from-a-link',
    });
    await renderRegister(api, `/clusters/register?${query}`);
    expect(
      screen.getByLabelText(/^SSH host/, { selector: 'input' }),
    ).toHaveValue('bastion.example');
    expect(
      screen.getByLabelText(/^SSH password/, { selector: 'input' }),
    ).toHaveValue('');
    type('Bearer token', 'good');
    type('SSH password', 'typed');
    fireEvent.click(screen.getByRole('button', { name: 'Register' }));
    expect(await screen.findByText('cluster page')).toBeVisible();
    expect(api.createCluster.mock.calls[0][0].connection).toEqual({
      method: 'sshTunnel',
      sshTunnel: {
        host: 'bastion.example',
        port: 2222,
        username: 'ops',
        password: 'typed',
        hostKeys: [fingerprint],
      },
    });
  });

  it('registers an EKS cluster with AWS IAM auth: cluster id and role, no stored secret', async () => {
    const api = mockClusterRegistryApi({
      createCluster: async body =>
        (body.auth as { assumeRole?: string }).assumeRole
          ? cluster
          : Promise.reject(
              // As the client throws it: a ResponseError with the body's fields.
              Object.assign(new Error('Request failed with 400 Bad Request'), {
                name: 'ResponseError',
                body: {
                  error: {
                    name: 'InputError',
                    message:
                      'auth: verification failed (unauthorized): the API server rejected the AWS IAM token (401 Unauthorized)',
                    fields: [
                      {
                        field: 'auth',
                        reason:
                          'verification failed (unauthorized): the API server rejected the AWS IAM token (401 Unauthorized)',
                      },
                    ],
                  },
                },
              }),
            ),
    });
    await renderRegister(api);
    type('Name', 'eks-prod');
    type('Server URL', 'https://ABC.gr7.eu-west-1.eks.amazonaws.com');
    fireEvent.mouseDown(screen.getByRole('button', { name: /Bearer token/ }));
    fireEvent.click(
      await screen.findByRole('option', { name: 'AWS IAM (EKS)' }),
    );
    expect(screen.queryByLabelText(/^Bearer token/)).not.toBeInTheDocument();
    type('EKS cluster id', 'eks-prod');
    type('Role to assume', 'portal-role');
    fireEvent.click(screen.getByRole('button', { name: 'Register' }));
    expect(await screen.findByText('must be an IAM role ARN')).toBeVisible();
    expect(api.createCluster).not.toHaveBeenCalled();

    type('Role to assume', '');
    fireEvent.click(screen.getByRole('button', { name: 'Register' }));
    // The backend's verdict lands next to the cluster id.
    await waitFor(() =>
      expect(
        document.getElementById('cluster-awsClusterId-helper-text'),
      ).toHaveTextContent('rejected the AWS IAM token'),
    );

    type('Role to assume', 'arn:aws:iam::123456789012:role/portal-eks');
    type('External id', 'portal');
    fireEvent.click(screen.getByRole('button', { name: 'Register' }));
    expect(await screen.findByText('cluster page')).toBeVisible();
    expect(api.createCluster).toHaveBeenLastCalledWith(
      expect.objectContaining({
        auth: {
          type: 'aws',
          clusterId: 'eks-prod',
          assumeRole: 'arn:aws:iam::123456789012:role/portal-eks',
          externalId: 'portal',
        },
      }),
    );
  });

  it('imports picked kubeconfig contexts and shows a result per context', async () => {
    const api = mockClusterRegistryApi({
      inspectKubeconfig: async () => ({
        currentContext: 'a',
        contexts: [
          {
            context: 'a',
            cluster: 'a',
            user: 'a',
            serverUrl: 'https://a:6443',
            authKind: 'token',
            usable: true,
            suggestedName: 'a',
          },
          {
            context: 'b',
            cluster: 'b',
            user: 'b',
            serverUrl: 'https://b:6443',
            authKind: 'token',
            usable: true,
            suggestedName: 'b',
          },
          {
            context: 'eks',
            cluster: 'eks',
            user: 'eks',
            serverUrl: 'https://eks:443',
            authKind: 'exec',
            usable: false,
            reason: 'uses an exec plugin; register with AWS IAM auth',
            suggestedName: 'eks',
          },
        ],
      }),
      importKubeconfig: async request =>
        request.contexts.map(c =>
          c.context === 'a'
            ? {
                context: 'a',
                name: c.name!,
                status: 'created' as const,
                cluster,
              }
            : {
                context: c.context,
                name: c.name!,
                status: 'failed' as const,
                error: {
                  name: 'InputError',
                  message: 'auth: verification failed (tls)',
                },
              },
        ),
    });
    await renderRegister(api);
    fireEvent.click(screen.getByRole('tab', { name: 'Kubeconfig' }));
    fireEvent.change(screen.getByRole('textbox', { name: 'Kubeconfig' }), {
      target: { value: 'apiVersion: v1' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Get clusters' }));
    expect(
      await screen.findByText(
        'uses an exec plugin; register with AWS IAM auth',
      ),
    ).toBeVisible();
    expect(screen.getByRole('checkbox', { name: 'Import eks' })).toBeDisabled();
    fireEvent.click(screen.getByRole('checkbox', { name: 'Import a' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Import b' }));
    fireEvent.change(screen.getByRole('textbox', { name: 'Name for a' }), {
      target: { value: 'prod-a' },
    });
    fireEvent.click(
      screen.getByRole('button', { name: 'Register 2 selected' }),
    );
    expect(await screen.findByText(/a: registered as/)).toBeVisible();
    expect(
      screen.getByText(
        'b: not registered as b: auth: verification failed (tls)',
      ),
    ).toBeVisible();
    expect(api.importKubeconfig).toHaveBeenCalledWith(
      expect.objectContaining({
        contexts: [
          { context: 'a', name: 'prod-a' },
          { context: 'b', name: 'b' },
        ],
      }),
    );
    // The failed one stays picked to fix and retry; the created one does not.
    await waitFor(() =>
      expect(
        screen.getByRole('checkbox', { name: 'Import a' }),
      ).not.toBeChecked(),
    );
    expect(screen.getByRole('checkbox', { name: 'Import b' })).toBeChecked();
  });
});

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
        <FreshPermissions>
          <ClusterListPage />
        </FreshPermissions>
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
        <FreshPermissions>
          <RegisterClusterPage />
        </FreshPermissions>
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
