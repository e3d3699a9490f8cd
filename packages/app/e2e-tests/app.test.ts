import { test, expect } from '@playwright/test';

test('a guest signs in and the catalog shows the cluster registry suite', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();

  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  await expect(
    nav.getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();

  // The catalog-info.yaml of this repository is registered in the demo catalog.
  await expect(
    page.getByRole('link', {
      name: 'Demo portal (backend)',
      exact: true,
    }),
  ).toBeVisible();
});

test('the catalog API answers with a guest token', async ({ request }) => {
  const backend = process.env.PLAYWRIGHT_BACKEND_URL ?? 'http://localhost:7107';
  const refresh = await request.get(`${backend}/api/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  expect(refresh.ok()).toBeTruthy();
  const token = (await refresh.json()).backstageIdentity.token as string;
  expect(token).toBeTruthy();

  const unauthenticated = await request.get(`${backend}/api/catalog/entities`);
  expect(unauthenticated.status()).toBe(401);

  const res = await request.get(
    `${backend}/api/catalog/entities?filter=kind=system`,
    {
      headers: { authorization: `Bearer ${token}` },
    },
  );
  expect(res.ok()).toBeTruthy();
  const names = (await res.json()).map((e: any) => e.metadata.name);
  expect(names).toContain('cluster-registry');
});
