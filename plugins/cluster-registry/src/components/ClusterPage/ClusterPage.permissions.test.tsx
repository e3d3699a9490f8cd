import { screen } from '@testing-library/react';
import { renderPage } from '../../__testUtils__/renderClusterPage';

// A file of its own: usePermission caches decisions for the whole module
// (SWR), so a DENY test next to ALLOW tests would see their answer.
describe('ClusterPage without permission', () => {
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
