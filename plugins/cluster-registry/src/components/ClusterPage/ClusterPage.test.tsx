import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { insight, renderPage } from '../../__testUtils__/renderClusterPage';

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

  it('warns before the credentials expire, refreshes, and disconnects after a confirmation that names the cluster', async () => {
    const expiresAt = new Date(Date.now() + 3.5 * 24 * 3600_000).toISOString();
    const api = await renderPage(true, {
      auth: { type: 'bearerToken', tokenSet: true, expiresAt },
    });
    expect(
      await screen.findByText(
        `Warning: The bearer token expires in 3 days (${new Date(
          expiresAt,
        ).toLocaleString()})`,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('Credentials Expire')).toBeInTheDocument();
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

describe('ClusterPage of a cluster registered with a minted ServiceAccount', () => {
  it('shows what the registry created, and removes it with an admin token on disconnect', async () => {
    const api = await renderPage(true, {
      serviceAccount: {
        namespace: 'backstage-cluster-registry',
        name: 'cluster-registry-prod-eu-1-a1b2c3',
        clusterRole: 'view',
        tokenLifetimeSeconds: 86_400,
        objects: [
          {
            kind: 'ServiceAccount',
            name: 'cluster-registry-prod-eu-1-a1b2c3',
            namespace: 'backstage-cluster-registry',
          },
          {
            kind: 'ClusterRoleBinding',
            name: 'cluster-registry-prod-eu-1-a1b2c3',
          },
        ],
      },
    });
    expect(
      await screen.findByText(
        /bound to ClusterRole view; a new token at least every 12 h/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/ClusterRoleBinding cluster-registry-prod-eu-1-a1b2c3/),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Disconnect' }));
    await screen.findByText('Disconnect prod-eu-1?');
    const confirm = screen
      .getAllByRole('button', { name: 'Disconnect' })
      .pop()!;
    // Removing needs the admin token first.
    expect(confirm).toBeDisabled();
    fireEvent.change(screen.getByLabelText(/^Admin token for the cluster/), {
      target: { value: 'admin-token' },
    });
    fireEvent.click(confirm);
    await waitFor(() =>
      expect(api.deleteCluster).toHaveBeenCalledWith('prod-eu-1'),
    );
    expect(api.removeServiceAccount).toHaveBeenCalledWith('prod-eu-1', {
      auth: { type: 'bearerToken', token: 'admin-token' },
    });
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
  it('shows no TLS or connection settings to an editor who may not change where the credential goes', async () => {
    const api = await renderPage(
      name => name !== 'cluster-registry.cluster.connection.update',
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Edit' }));
    expect(
      await screen.findByText(/decide where this cluster's stored credential/),
    ).toBeInTheDocument();
    expect(screen.queryByLabelText(/Connection method/)).toBeNull();
    fireEvent.change(
      screen.getByLabelText(/^Description/, { selector: 'textarea' }),
      { target: { value: 'EU production' } },
    );
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(api.updateCluster).toHaveBeenCalled());
    expect(api.updateCluster.mock.calls[0][1]).toMatchObject({
      description: 'EU production',
    });
  });

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

describe('ClusterPage insight', () => {
  const prometheus = {
    url: 'https://prom.example:9090',
    auth: { type: 'anonymous' as const },
    throughClusterConnection: false,
  };

  it('shows the version window, capacity with unknowns, nodes with roles and skew, and what the credentials may do', async () => {
    const api = await renderPage(true, undefined, { insight: true });
    expect(await screen.findByText('Out of support')).toBeInTheDocument();
    expect(screen.getByText('1.33 – 1.35')).toBeInTheDocument();

    // CPU "used" is not known: a dash, not 0.
    const cpu = screen.getByRole('group', { name: 'CPU (cores) capacity' });
    expect(within(cpu).getByLabelText('used')).toHaveTextContent('—');
    expect(within(cpu).getByLabelText('requested')).toHaveTextContent(
      '1.5 (27.3%)',
    );

    expect(screen.getByText('Nodes (1/2 ready)')).toBeInTheDocument();
    const cp = screen.getByText('cp-1').closest('tr')!;
    expect(within(cp).getByText('control-plane')).toBeInTheDocument();
    expect(within(cp).getByText('linux/amd64')).toBeInTheDocument();
    expect(within(cp).getByText('12 / 110')).toBeInTheDocument();
    expect(within(cp).getByText('CPU 25%, memory 50%')).toBeInTheDocument();
    expect(
      within(cp).getByLabelText(
        '1 taints: node-role.kubernetes.io/control-plane:NoSchedule',
      ),
    ).toBeInTheDocument();
    const old = screen.getByText('worker-old').closest('tr')!;
    expect(within(old).getByText('NotReady')).toBeInTheDocument();
    expect(within(old).getByText('SchedulingDisabled')).toBeInTheDocument();
    expect(within(old).getByText('DiskPressure')).toBeInTheDocument();
    expect(
      within(old).getByTitle(/^version skew: kubelet v1.23.1/),
    ).toBeInTheDocument();
    // No roles, no usage: dashes.
    expect(within(old).getAllByText('—').length).toBeGreaterThanOrEqual(2);

    // Problem nodes only.
    fireEvent.click(screen.getByLabelText('Problem nodes only'));
    await waitFor(() => expect(screen.queryByText('cp-1')).toBeNull());
    expect(screen.getByText('worker-old')).toBeInTheDocument();

    expect(
      screen.getByText(
        /may do more than a read-only portal needs: get secrets/,
      ),
    ).toBeInTheDocument();
    // Without Prometheus: no metrics.
    expect(screen.queryByText('Metrics')).toBeNull();
    expect(api.queryClusterMetrics).not.toHaveBeenCalled();
  });

  it('lists warning events first, and all events when the switch is off', async () => {
    const api = await renderPage(true, undefined, { insight: true });
    expect(await screen.findByText('FailedScheduling')).toBeInTheDocument();
    expect(screen.getByText('Pod/web-1')).toBeInTheDocument();
    expect(screen.queryByText('Scheduled')).toBeNull();
    expect(api.listClusterEvents).toHaveBeenCalledWith('prod-eu-1', {
      type: 'Warning',
    });
    const toggle = screen.getByLabelText('Only warnings (1)');
    expect(toggle).toBeChecked();
    fireEvent.click(toggle);
    expect(await screen.findByText('Scheduled')).toBeInTheDocument();
    expect(api.listClusterEvents).toHaveBeenLastCalledWith('prod-eu-1', {
      type: 'all',
    });
  });

  it("shows one part's error while the others render", async () => {
    await renderPage(true, undefined, {
      insight: true,
      api: {
        getClusterInsight: async () => ({
          ...insight,
          nodes: { error: 'nodes is forbidden: cannot list nodes' },
        }),
        listClusterEvents: async () => {
          throw new Error('events is forbidden');
        },
      },
    });
    expect(
      await screen.findByText('Nodes: nodes is forbidden: cannot list nodes'),
    ).toBeInTheDocument();
    expect(screen.getByText('Events: events is forbidden')).toBeInTheDocument();
    expect(screen.getByText('Out of support')).toBeInTheDocument();
    expect(screen.getByText('Memory')).toBeInTheDocument();
  });

  it('draws the charts for the range in the URL, with no-data and error states, and keeps a new range in the URL', async () => {
    const api = await renderPage(
      true,
      { prometheus },
      {
        route: '/clusters/prod-eu-1?range=6h',
        insight: true,
      },
    );
    const cpu = await screen.findByRole('figure', {
      name: 'CPU utilisation chart',
    });
    await waitFor(() =>
      expect(cpu.querySelector('path.recharts-line-curve')).not.toBeNull(),
    );
    expect(cpu.querySelector('svg')).toHaveAttribute('width', '600');
    expect(api.queryClusterMetrics).toHaveBeenCalledWith('prod-eu-1', {
      queries: expect.arrayContaining(['cpu.utilisation', 'pods.byPhase']),
      range: { last: '6h' },
    });
    expect(
      within(
        screen.getByRole('figure', { name: 'Pods by phase chart' }),
      ).getByText('No data in this range.'),
    ).toBeInTheDocument();
    expect(
      within(
        screen.getByRole('figure', { name: 'API p99 latency by verb chart' }),
      ).getByText(/no apiserver_request_total series/),
    ).toBeInTheDocument();
    // The sources card says what a missing exporter would add.
    expect(
      await screen.findByText(
        /Install or scrape it to see container CPU and memory per pod/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Prometheus 2.42.0 answers (3 scrape targets)'),
    ).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'last 24h' }));
    await waitFor(() =>
      expect(api.queryClusterMetrics).toHaveBeenLastCalledWith('prod-eu-1', {
        queries: expect.any(Array),
        range: { last: '24h' },
      }),
    );
    expect(screen.getByTestId('location')).toHaveTextContent('?range=24h');
  });

  it('asks nothing of an isolated cluster', async () => {
    const api = await renderPage(true, {
      isolated: true,
      serverUrl: undefined,
      status: { state: 'isolated' },
    });
    expect(
      await screen.findByText('isolated (no endpoint)'),
    ).toBeInTheDocument();
    expect(api.getClusterInsight).not.toHaveBeenCalled();
    expect(api.listClusterEvents).not.toHaveBeenCalled();
  });
});
