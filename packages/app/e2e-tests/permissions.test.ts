import { expect, test } from '@playwright/test';
import { backend, guestAuth, openClusters, testIdentityProxy } from './helpers';

const QA = 'e2e-scope-qa';
const PROD = 'e2e-scope-prod';

/**
 * The demo policy's rule (app-config.yaml `permission.clusterScopes`:
 * members of group:qa manage the qa clusters), seen by two people signed in
 * at once: the guest, a registry admin, and Ann of the qa team, signed in by
 * an authenticating proxy in front of the portal (test-env's identity proxy
 * and Backstage's oauth2Proxy provider, e2e/app-config.e2e.yaml).
 */
test('two signed-in users: the admin sees every cluster, a qa member only the qa ones and may register only into qa', async ({
  browser,
  page,
  request,
}) => {
  test.setTimeout(120_000);
  const auth = await guestAuth(request);
  // A run against a long-lived portal may find the previous run's cluster.
  await request.delete(`${backend}/api/cluster-registry/clusters/e2e-ann-qa`, {
    headers: auth,
  });
  for (const [name, category] of [
    [QA, 'qa'],
    [PROD, 'prod'],
  ]) {
    const res = await request.post(`${backend}/api/cluster-registry/clusters`, {
      headers: auth,
      data: { name, title: name, isolated: true, category },
    });
    expect([201, 409]).toContain(res.status());
  }

  // The guest: both.
  await openClusters(page);
  await expect(page.getByText(QA)).toBeVisible();
  await expect(page.getByText(PROD)).toBeVisible();

  // Ann, through the identity proxy: signed in without a button, as herself.
  const proxy = testIdentityProxy();
  const ann = await browser.newContext({
    baseURL: test.info().project.use.baseURL,
    proxy: { server: proxy.url, bypass: '<-loopback>' },
  });
  try {
    const annPage = await ann.newPage();
    await annPage.goto('/clusters');
    await expect(annPage.getByText(QA)).toBeVisible();
    await expect(annPage.getByText(PROD)).toHaveCount(0);
    await annPage.screenshot({
      path: 'docs/screenshots/cluster-list-qa-member.png',
    });
    // Her identity is the catalog's user, a member of qa.
    const identity = await annPage.evaluate(async url => {
      const res = await fetch(`${url}/api/auth/oauth2Proxy/refresh`, {
        headers: { 'x-requested-with': 'XMLHttpRequest' },
        credentials: 'include',
      });
      return (await res.json()).backstageIdentity.identity;
    }, backend);
    expect(identity).toMatchObject({
      userEntityRef: proxy.user,
      ownershipEntityRefs: expect.arrayContaining(['group:default/qa']),
    });

    // A prod cluster is not hers to see, even by its address.
    await annPage.goto(`/clusters/${PROD}`);
    await expect(
      annPage.getByText(/not found|not allowed/i).first(),
    ).toBeVisible();

    // She may register, into qa only: the form is there, and prod is refused.
    await annPage.goto('/clusters');
    await annPage
      .getByRole('button', { name: 'Register cluster' })
      .first()
      .click();
    await annPage.getByRole('tab', { name: 'Isolated cluster' }).click();
    await annPage
      .getByRole('textbox', { name: 'Name', exact: true })
      .fill('e2e-ann-prod');
    await annPage.getByLabel('Category').click();
    await annPage.getByRole('option', { name: 'prod' }).click();
    await annPage
      .getByRole('button', { name: 'Register isolated cluster' })
      .click();
    await expect(annPage.getByText(/not allowed/i).first()).toBeVisible();
    // Into qa it is hers to register.
    await annPage
      .getByRole('textbox', { name: 'Name', exact: true })
      .fill('e2e-ann-qa');
    await annPage.getByLabel('Category').click();
    await annPage.getByRole('option', { name: 'qa', exact: true }).click();
    await annPage
      .getByRole('button', { name: 'Register isolated cluster' })
      .click();
    await expect(annPage).toHaveURL(/\/clusters\/e2e-ann-qa$/);
  } finally {
    await ann.close();
  }
  const refused = await request.get(
    `${backend}/api/cluster-registry/clusters/e2e-ann-prod`,
    { headers: auth },
  );
  expect(refused.status()).toBe(404);
  const registered = await request.get(
    `${backend}/api/cluster-registry/clusters/e2e-ann-qa`,
    { headers: auth },
  );
  expect(await registered.json()).toMatchObject({
    category: 'qa',
    createdBy: 'user:default/ann',
  });
});
