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
