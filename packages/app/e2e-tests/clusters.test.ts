import { expect, test } from '@playwright/test';
import { backend, guestAuth, openClusters } from './helpers';

test('clusters registered through the API are listed and filtered by category', async ({
  page,
  request,
}) => {
  const auth = await guestAuth(request);
  for (const [name, category] of [
    ['e2e-airgap-prod', 'prod'],
    ['e2e-airgap-qa', 'qa'],
  ]) {
    const res = await request.post(`${backend}/api/cluster-registry/clusters`, {
      headers: auth,
      data: { name, title: name, isolated: true, category },
    });
    expect([201, 409]).toContain(res.status());
  }

  await openClusters(page);
  await expect(
    page.getByRole('main').getByRole('heading', { name: 'Clusters', level: 1 }),
  ).toBeVisible();
  await expect(page.getByText('e2e-airgap-prod')).toBeVisible();
  await expect(page.getByText('e2e-airgap-qa')).toBeVisible();

  await page.screenshot({ path: 'docs/screenshots/cluster-list.png' });

  await page
    .getByRole('group', { name: 'Filter by category' })
    .getByRole('button', { name: 'qa' })
    .click();
  await expect(page).toHaveURL(/category=qa/);
  await expect(page.getByText('e2e-airgap-prod')).toHaveCount(0);
  await expect(page.getByText('e2e-airgap-qa')).toBeVisible();

  // The cluster page, then disconnect with a confirmation that names it.
  await page.getByRole('link', { name: 'e2e-airgap-qa' }).click();
  await expect(page).toHaveURL(/\/clusters\/e2e-airgap-qa$/);
  await expect(page.getByText('isolated (no endpoint)')).toBeVisible();
  await expect(
    page.getByRole('button', { name: 'Refresh now' }),
  ).toBeDisabled();
  await page.getByRole('button', { name: 'Disconnect' }).click();
  const dialog = page.getByRole('dialog', {
    name: 'Disconnect e2e-airgap-qa?',
  });
  await expect(
    dialog.getByText(/The cluster itself is not touched/),
  ).toBeVisible();
  await dialog.getByRole('button', { name: 'Disconnect' }).click();
  await expect(page).toHaveURL(/\/clusters$/);
  await expect(page.getByText('e2e-airgap-prod')).toBeVisible();
  await expect(page.getByText('e2e-airgap-qa')).toHaveCount(0);
});
