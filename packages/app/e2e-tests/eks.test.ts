import fs from 'node:fs';
import https from 'node:https';
import { expect, Page, test } from '@playwright/test';
import { backend, guestAuth, openClusters, runTemplate } from './helpers';

/** test-env's EKS stand-in (moto behind its harness, a real API server, aws-iam-authenticator). */
function eksEnv(): {
  clusterName: string;
  region: string;
  kubeApiServer: { serverUrl: string; caData: string; adminToken: string };
} {
  const file = process.env.CLUSTER_REGISTRY_TEST_ENV;
  if (!file)
    throw new Error(
      'CLUSTER_REGISTRY_TEST_ENV is not set: run the e2e stage through scripts/test.sh',
    );
  const { eks } = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!eks)
    throw new Error(
      'the test environment has no EKS stand-in (test-env up --eks)',
    );
  return eks;
}

/** Writes a ConfigMap of the entity into the stand-in's API server, as its admin (what a deployment would). */
function seedConfigMap(
  api: { serverUrl: string; caData: string; adminToken: string },
  kubernetesId: string,
) {
  const body = JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: `${kubernetesId}-settings`,
      labels: { 'backstage.io/kubernetes-id': kubernetesId },
    },
    data: { mode: 'e2e' },
  });
  return new Promise<void>((resolve, reject) => {
    const req = https.request(
      new URL('/api/v1/namespaces/default/configmaps', api.serverUrl),
      {
        method: 'POST',
        ca: api.caData,
        headers: {
          authorization: `Bearer ${api.adminToken}`,
          'content-type': 'application/json',
        },
      },
      res => {
        res.resume();
        res.on('end', () =>
          [201, 409].includes(res.statusCode!)
            ? resolve()
            : reject(new Error(`ConfigMap: ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The page content scrolls inside Backstage's layout: grow the window to show all of it. */
async function tallScreenshot(page: Page, path: string, height: number) {
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: size.width, height });
  await page.screenshot({ path });
  await page.setViewportSize(size);
}

test('creates an EKS cluster from the Create cluster page, follows its steps until it runs, and deletes it at EKS', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const eks = eksEnv();
  await openClusters(page);
  await page.getByRole('button', { name: 'Create cluster' }).first().click();
  await expect(page).toHaveURL(/\/clusters\/create$/);

  // Checked at the fields before anything is sent.
  await page
    .getByRole('textbox', { name: 'Name', exact: true })
    .fill(eks.clusterName);
  await page
    .getByRole('textbox', { name: 'VPC CIDR', exact: true })
    .fill('10.30.1.0/16');
  await page.getByRole('button', { name: 'Create EKS cluster' }).click();
  await expect(page.locator('#eks-vpcCidr-helper-text')).toContainText(
    'did you mean 10.30.0.0/16?',
  );

  await page
    .getByRole('textbox', { name: 'VPC CIDR', exact: true })
    .fill('10.30.0.0/16');
  await page
    .getByRole('textbox', { name: 'Display name', exact: true })
    .fill('Payments QA (EKS)');
  await page.getByLabel('Category').click();
  await page.getByRole('option', { name: 'qa', exact: true }).click();
  await page
    .getByRole('textbox', { name: 'Owner', exact: true })
    .fill('group:default/platform');
  // The region and version are what the portal's configuration allows.
  await expect(page.locator('#eks-region')).toContainText(eks.region);
  await page
    .getByRole('textbox', { name: 'Private access CIDRs', exact: true })
    .fill('10.8.0.0/16');
  await page.getByLabel(/^ConfigMap \(legacy\)/).check();
  await page
    .getByRole('textbox', { name: 'Team', exact: true })
    .fill('payments');
  await page
    .getByRole('textbox', { name: 'Environment', exact: true })
    .fill('qa');
  await tallScreenshot(page, 'docs/screenshots/eks-create.png', 2200);

  await page.getByRole('button', { name: 'Create EKS cluster' }).click();
  await expect(page).toHaveURL(new RegExp(`/clusters/${eks.clusterName}$`));
  const progress = page.getByRole('list', { name: 'Creation steps' });
  await expect(progress).toBeVisible();
  // The stand-in reports CREATING first: the wait is visible while it lasts.
  await expect(page.getByTestId('step-control-plane')).toContainText(
    'EKS reports CREATING',
    { timeout: 60_000 },
  );
  await expect(page.getByText('Creation at EKS: done')).toBeVisible({
    timeout: 90_000,
  });
  for (const step of [
    'network',
    'iam',
    'control-plane',
    'irsa',
    'access',
    'registration',
  ])
    await expect(page.getByTestId(`step-${step}`)).toHaveAttribute(
      'aria-label',
      /: done$/,
    );
  await expect(page.getByTestId('step-registration')).toContainText(
    'verified: Kubernetes',
  );
  await expect(
    page.getByText(eks.kubeApiServer.serverUrl, { exact: true }),
  ).toBeVisible();
  await tallScreenshot(page, 'docs/screenshots/eks-progress.png', 1600);

  // Delete at EKS, confirmed by typing the name.
  await page.getByRole('button', { name: 'Delete at EKS' }).click();
  const confirm = page.getByRole('button', { name: 'Delete at EKS' }).last();
  await expect(confirm).toBeDisabled();
  await page
    .getByLabel(`Type ${eks.clusterName} to confirm`)
    .fill(eks.clusterName);
  await confirm.click();
  await expect(
    page.getByText(`${eks.clusterName} was deleted at its provider`),
  ).toBeVisible({ timeout: 90_000 });
  await expect(page.getByText('Deletion at EKS: done')).toBeVisible();
});

test('the create-eks-cluster template creates one through the real scaffolder, waits until it runs, and the Kubernetes plugin reads it as the portal role', async ({
  request,
}) => {
  test.setTimeout(180_000);
  const eks = eksEnv();
  const auth = await guestAuth(request);
  const { task, events } = await runTemplate(
    request,
    auth,
    'template:default/create-eks-cluster',
    {
      name: eks.clusterName,
      title: 'Scaffolded EKS',
      category: 'dev',
      owner: 'group:default/platform',
      team: 'payments',
      region: eks.region,
      kubernetesVersion: '1.34',
      vpcCidr: '10.31.0.0/16',
      authenticationMode: 'CONFIG_MAP',
      irsa: true,
      endpointPublicAccess: true,
      endpointPrivateAccess: true,
      waitUntilReady: true,
    },
  );
  expect(task.status, events).toBe('completed');
  expect(events).toContain(`EKS cluster ${eks.clusterName} requested`);
  expect(events).toContain(
    `EKS cluster ${eks.clusterName} is running and registered`,
  );

  const cluster = await (
    await request.get(
      `${backend}/api/cluster-registry/clusters/${eks.clusterName}`,
      { headers: auth },
    )
  ).json();
  expect(cluster).toMatchObject({
    title: 'Scaffolded EKS',
    createdBy: 'user:default/guest',
    auth: { type: 'aws', clusterId: eks.clusterName },
    status: { state: 'running' },
  });
  // The real Kubernetes plugin: listed, and its proxy reaches the API server
  // with a token its AWS strategy minted for the portal's reader role.
  const clusters = await (
    await request.get(`${backend}/api/kubernetes/clusters`, { headers: auth })
  ).json();
  expect(clusters.items).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ name: eks.clusterName, authProvider: 'aws' }),
    ]),
  );
  const version = await request.get(`${backend}/api/kubernetes/proxy/version`, {
    headers: { ...auth, 'Backstage-Kubernetes-Cluster': eks.clusterName },
  });
  expect(version.status(), await version.text()).toBe(200);
  expect((await version.json()).gitVersion).toMatch(/^v1\./);
  // An entity's Kubernetes tab asks it too (its fetcher, the same AWS token):
  // an object of demo-shop in the new cluster is found there.
  await seedConfigMap(eks.kubeApiServer, 'demo-shop');
  const tab = await request.post(
    `${backend}/api/kubernetes/services/demo-shop`,
    {
      headers: auth,
      data: {
        entity: {
          kind: 'Component',
          metadata: { name: 'demo-shop', namespace: 'default' },
        },
      },
    },
  );
  expect(tab.status()).toBe(200);
  const fromEks = (await tab.json()).items.find(
    (i: any) => i.cluster.name === eks.clusterName,
  );
  expect(fromEks).toMatchObject({ errors: [] });
  expect(
    fromEks.resources
      .find((r: any) => r.type === 'configmaps')
      ?.resources.map((c: any) => c.metadata.name),
  ).toContain('demo-shop-settings');
  // And in the catalog, as a Resource of type kubernetes-cluster.
  await expect
    .poll(
      async () =>
        (
          await request.get(
            `${backend}/api/catalog/entities/by-name/resource/default/${eks.clusterName}`,
            { headers: auth },
          )
        ).status(),
      { timeout: 30_000 },
    )
    .toBe(200);

  // Cleaned up at AWS again.
  const deleting = await request.post(
    `${backend}/api/cluster-registry/clusters/${eks.clusterName}/deprovision`,
    { headers: auth },
  );
  expect(deleting.status()).toBe(202);
  await expect
    .poll(
      async () =>
        (
          await (
            await request.get(
              `${backend}/api/cluster-registry/clusters/${eks.clusterName}/provisioning`,
              { headers: auth },
            )
          ).json()
        ).state,
      { timeout: 60_000 },
    )
    .toBe('succeeded');
});
