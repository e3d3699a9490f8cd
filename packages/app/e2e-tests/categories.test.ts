import { expect, test } from '@playwright/test';
import { backend, guestAuth, openClusters } from './helpers';

test('an admin creates a category, filters by it, and deletes it by moving its clusters', async ({
  page,
  request,
}) => {
  await openClusters(page);
  await page.getByRole('link', { name: 'Categories' }).click();
  await expect(page).toHaveURL(/\/clusters\/categories$/);

  await page.getByText('Add category').click();
  const dialog = page.getByRole('dialog', { name: 'Add category' });
  await dialog.getByLabel('Name').fill('e2e-edge');
  await dialog.getByLabel('Description').fill('Edge sites');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('cell', { name: 'Edge sites' })).toBeVisible();
  await page.screenshot({ path: 'docs/screenshots/categories.png' });

  // A cluster in the new category (registered through the API), then filter by it.
  const auth = await guestAuth(request);
  const created = await request.post(
    `${backend}/api/cluster-registry/clusters`,
    {
      headers: auth,
      data: { name: 'e2e-edge-site-1', isolated: true, category: 'e2e-edge' },
    },
  );
  expect(created.status()).toBe(201);
  await page.getByRole('link', { name: 'All clusters' }).click();
  await page
    .getByRole('group', { name: 'Filter by category' })
    .getByRole('button', { name: 'e2e-edge' })
    .click();
  await expect(
    page.getByRole('link', { name: 'e2e-edge-site-1' }),
  ).toBeVisible();

  // Deleting it is blocked while the cluster uses it; moving the cluster to "dev" unblocks it.
  await page.getByRole('link', { name: 'Categories' }).click();
  await page.getByRole('button', { name: 'Delete e2e-edge' }).click();
  const del = page.getByRole('dialog', { name: 'Delete category e2e-edge?' });
  await del.getByRole('button', { name: 'Delete' }).click();
  await expect(del.getByRole('alert')).toContainText('e2e-edge-site-1');
  await del.getByLabel('Move these clusters to').click();
  await page.getByRole('option', { name: 'dev' }).click();
  await del.getByRole('button', { name: 'Move and delete' }).click();
  await expect(
    page.getByRole('button', { name: 'Delete e2e-edge' }),
  ).toHaveCount(0);

  await expect
    .poll(async () => {
      const moved = await request.get(
        `${backend}/api/cluster-registry/clusters/e2e-edge-site-1`,
        { headers: auth },
      );
      return (await moved.json()).category;
    })
    .toBe('dev');
});
