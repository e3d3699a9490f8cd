import { expect, test } from '@playwright/test';
import { backend, guestAuth, signIn } from './helpers';

test('registered clusters are catalog Resources, filtered by category in the standard catalog table', async ({
  page,
  request,
}) => {
  const auth = await guestAuth(request);
  for (const [name, category] of [
    ['e2e-catalog-prod', 'prod'],
    ['e2e-catalog-qa', 'qa'],
  ]) {
    const res = await request.post(`${backend}/api/cluster-registry/clusters`, {
      headers: auth,
      data: { name, title: `Catalog ${category}`, isolated: true, category },
    });
    expect([201, 409]).toContain(res.status());
  }

  // The catalog processes the new entities in the background (a few seconds
  // while a fresh portal is still processing its own locations): wait for it,
  // since the table does not refresh by itself.
  for (const name of ['e2e-catalog-prod', 'e2e-catalog-qa']) {
    await expect
      .poll(
        async () =>
          (
            await request.get(
              `${backend}/api/catalog/entities/by-name/resource/default/${name}`,
              { headers: auth },
            )
          ).status(),
        { timeout: 60_000 },
      )
      .toBe(200);
  }

  await signIn(page);
  // The catalog index of the demo app is its home page.
  await page.goto(
    '/?filters[kind]=resource&filters[type]=kubernetes-cluster&filters[tags]=prod&filters[user]=all',
  );
  await expect(page.getByRole('link', { name: 'Catalog prod' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Catalog qa' })).toHaveCount(0);
  await page.screenshot({ path: 'docs/screenshots/catalog-clusters.png' });

  // The entity page links back to the cluster page.
  await page.getByRole('link', { name: 'Catalog prod' }).click();
  await expect(page.getByText('kubernetes-cluster').first()).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'Cluster page' }),
  ).toHaveAttribute('href', /\/clusters\/e2e-catalog-prod$/);
});
