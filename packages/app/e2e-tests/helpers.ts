import { APIRequestContext, Page } from '@playwright/test';

export const backend =
  process.env.PLAYWRIGHT_BACKEND_URL ?? 'http://localhost:7107';

/** Signs in as the guest (the registry admin of the dev config) and opens the cluster list. */
export async function openClusters(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Clusters' })
    .click();
}

/** Authorization headers of the guest, for calls to the backend API. */
export async function guestAuth(request: APIRequestContext) {
  const refresh = await request.get(`${backend}/api/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  return {
    authorization: `Bearer ${(await refresh.json()).backstageIdentity.token}`,
  };
}
