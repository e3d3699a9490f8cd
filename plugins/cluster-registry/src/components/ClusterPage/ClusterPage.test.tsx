import { fireEvent, screen, waitFor } from '@testing-library/react';
import { renderPage } from '../../__testUtils__/renderClusterPage';

describe('ClusterPage', () => {
  it('shows the overview with the version hint and the TLS warning', async () => {
    await renderPage(true);
    expect(
      await screen.findByText('v1.27.3 (outside the supported range)'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'Warning: TLS verification is disabled for this cluster',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('direct')).toBeInTheDocument();
    expect(screen.getByText('read')).toBeInTheDocument();
    expect(screen.getByText('region=eu')).toBeInTheDocument();
  });

  it('refreshes, and disconnects after a confirmation that names the cluster', async () => {
    const api = await renderPage(true);
    fireEvent.click(await screen.findByRole('button', { name: 'Refresh now' }));
    await waitFor(() =>
      expect(api.refreshCluster).toHaveBeenCalledWith('prod-eu-1'),
    );

    fireEvent.click(screen.getByRole('button', { name: 'Disconnect' }));
    expect(
      await screen.findByText('Disconnect prod-eu-1?'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/The cluster itself is not touched/),
    ).toBeInTheDocument();
    fireEvent.click(
      screen.getAllByRole('button', { name: 'Disconnect' }).pop()!,
    );
    await waitFor(() =>
      expect(api.deleteCluster).toHaveBeenCalledWith('prod-eu-1'),
    );
    expect(await screen.findByText('cluster list')).toBeInTheDocument();
  });
});

describe('ClusterPage behind an SSH bastion', () => {
  const presented = `SHA256:${'b'.repeat(43)}`;
  it('shows the pinned host keys, and trusts a changed key only after the admin reviews its fingerprint', async () => {
    const api = await renderPage(true, {
      connection: {
        method: 'sshTunnel',
        sshTunnel: {
          host: 'bastion.example',
          port: 22,
          username: 'ops',
          passwordSet: false,
          privateKeySet: true,
          passphraseSet: false,
          hostKeys: [`SHA256:${'a'.repeat(43)}`],
          hostKeyFingerprints: [`SHA256:${'a'.repeat(43)}`],
        },
      },
      status: {
        state: 'unreachable',
        message: `SSH host key changed: the SSH bastion ops@bastion.example:22 presented ${presented}, which is not pinned (SHA256:${'a'.repeat(
          43,
        )})`,
      },
    });
    expect(
      await screen.findByText('via SSH tunnel ops@bastion.example:22'),
    ).toBeInTheDocument();
    expect(screen.getByText(`SHA256:${'a'.repeat(43)}`)).toBeInTheDocument();
    fireEvent.click(
      screen.getByRole('button', { name: 'Review the new host key' }),
    );
    expect(await screen.findByText(presented)).toBeInTheDocument();
    expect(api.acceptSshHostKey).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Trust this key' }));
    await waitFor(() =>
      expect(api.acceptSshHostKey).toHaveBeenCalledWith('prod-eu-1', presented),
    );
  });
});

describe('ClusterPage edit and rotate', () => {
  it('edits with write-only secrets: a stored password reads "set" and is not sent unless replaced', async () => {
    const api = await renderPage(true, {
      prometheus: {
        url: 'https://prom.example:9090',
        auth: { type: 'basic', username: 'metrics', passwordSet: true },
        throughClusterConnection: false,
      },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Edit' }));
    expect(await screen.findByText('Edit prod-eu-1')).toBeInTheDocument();
    expect(
      screen.getByLabelText(/^Name/, { selector: 'input' }),
    ).toBeDisabled();
    expect(screen.getByText('Prometheus password: set')).toBeInTheDocument();
    fireEvent.change(
      screen.getByLabelText(/^Description/, { selector: 'textarea' }),
      { target: { value: 'EU production' } },
    );
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(api.updateCluster).toHaveBeenCalled());
    const [name, body] = api.updateCluster.mock.calls[0];
    expect(name).toBe('prod-eu-1');
    expect(body).toMatchObject({
      description: 'EU production',
      prometheus: {
        url: 'https://prom.example:9090',
        auth: { type: 'basic', username: 'metrics' },
      },
    });
    expect((body.prometheus as any).auth.password).toBeUndefined();
  });

  it('rotates the token; the stored one is never shown', async () => {
    const api = await renderPage(true);
    fireEvent.click(
      await screen.findByRole('button', { name: 'Rotate credentials' }),
    );
    expect(
      await screen.findByText('Rotate credentials of prod-eu-1'),
    ).toBeInTheDocument();
    const token = screen.getByLabelText(/^Bearer token/, { selector: 'input' });
    expect(token).toHaveValue('');
    fireEvent.change(token, { target: { value: 'new-token' } });
    fireEvent.click(screen.getByRole('button', { name: 'Rotate' }));
    await waitFor(() =>
      expect(api.rotateCredentials).toHaveBeenCalledWith('prod-eu-1', {
        serverUrl: undefined,
        auth: { type: 'bearerToken', token: 'new-token' },
        tls: { caData: undefined, insecureSkipTlsVerify: true },
        skipVerification: false,
      }),
    );
  });

  it('disables the actions for users without permission', async () => {
    await renderPage(false);
    expect(
      await screen.findByRole('button', { name: 'Refresh now' }),
    ).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Disconnect' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Edit' })).toBeDisabled();
    expect(
      screen.getByRole('button', { name: 'Rotate credentials' }),
    ).toBeDisabled();
  });
});
