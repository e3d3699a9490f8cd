import { expect, Page, test } from '@playwright/test';
import { openClusters, TestApiServer, testApiServers } from './helpers';

// The flows build on each other (the last one edits the first one's cluster).
test.describe.configure({ mode: 'serial' });

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** A kubeconfig with a context per API server, plus one needing an exec plugin. */
function kubeconfig(servers: TestApiServer[]) {
  const lines = ['apiVersion: v1', 'kind: Config', 'clusters:'];
  for (const s of servers) {
    lines.push(
      `- name: ${s.name}`,
      '  cluster:',
      `    server: ${s.serverUrl}`,
      `    certificate-authority-data: ${b64(s.caData)}`,
    );
  }
  lines.push('users:');
  for (const s of servers) {
    lines.push(
      `- name: ${s.name}-admin`,
      '  user:',
      `    token: ${s.adminToken}`,
    );
  }
  lines.push(
    '- name: eks-user',
    '  user:',
    '    exec:',
    '      apiVersion: client.authentication.k8s.io/v1beta1',
    '      command: aws',
    '      args: [eks, get-token, --cluster-name, prod]',
    'contexts:',
  );
  for (const s of servers) {
    lines.push(
      `- name: ${s.name}-ctx`,
      '  context:',
      `    cluster: ${s.name}`,
      `    user: ${s.name}-admin`,
    );
  }
  lines.push(
    '- name: eks-ctx',
    '  context:',
    `    cluster: ${servers[0].name}`,
    '    user: eks-user',
    `current-context: ${servers[0].name}-ctx`,
  );
  return `${lines.join('\n')}\n`;
}

async function openRegistration(page: Page, method: string) {
  await openClusters(page);
  await page.getByRole('button', { name: 'Register cluster' }).first().click();
  await expect(page).toHaveURL(/\/clusters\/register$/);
  await page.getByRole('tab', { name: method }).click();
}

/** The page content scrolls inside Backstage's layout: grow the window to show all of it. */
async function tallScreenshot(page: Page, path: string, height: number) {
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: size.width, height });
  await page.screenshot({ path });
  await page.setViewportSize(size);
}

async function pickOption(page: Page, label: string, option: string) {
  await page.getByLabel(label).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

test('registers a cluster by token after verifying it against a real API server', async ({
  page,
}) => {
  const [api] = testApiServers();
  await openRegistration(page, 'Server URL & credentials');
  await page
    .getByRole('textbox', { name: 'Name', exact: true })
    .fill('e2e-token');
  await page
    .getByRole('textbox', { name: 'Display name', exact: true })
    .fill('E2E token cluster');
  await pickOption(page, 'Category', 'staging');
  await page
    .getByRole('textbox', { name: 'Owner', exact: true })
    .fill('group:default/platform');
  await page
    .getByRole('textbox', { name: 'Labels', exact: true })
    .fill('region=eu, tier=gold');
  await page
    .getByRole('textbox', { name: 'Server URL', exact: true })
    .fill(api.serverUrl);

  // A wrong token: Verify says why, next to the token field.
  await page
    .getByRole('textbox', { name: 'Bearer token', exact: true })
    .fill('not-a-token');
  await page
    .getByRole('textbox', { name: 'Certificate authority (PEM)', exact: true })
    .fill(api.caData);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('status')).toContainText(
    'Verification failed (unauthorized)',
  );
  await expect(page.locator('#cluster-token-helper-text')).toContainText('401');

  await page
    .getByRole('textbox', { name: 'Bearer token', exact: true })
    .fill(api.adminToken);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('status')).toContainText(
    `Connected: Kubernetes ${api.kubernetesVersion}`,
  );
  await expect(page.getByRole('status')).toContainText(
    'may administer the cluster',
  );
  await tallScreenshot(page, 'docs/screenshots/register-wizard.png', 2400);

  await page.getByRole('button', { name: 'Register', exact: true }).click();
  await expect(page).toHaveURL(/\/clusters\/e2e-token$/);
  await expect(
    page.getByRole('heading', { name: 'E2E token cluster' }),
  ).toBeVisible();
  await expect(page.getByText('region=eu, tier=gold')).toBeVisible();
  await expect(page.getByText(api.kubernetesVersion).first()).toBeVisible();
  // The token is write-only: it is nowhere on the page.
  await expect(page.getByText(api.adminToken)).toHaveCount(0);
});

test('imports two clusters from one kubeconfig; the exec context is explained', async ({
  page,
}) => {
  const servers = testApiServers();
  await openRegistration(page, 'Kubeconfig');
  await page
    .getByRole('textbox', { name: 'Kubeconfig', exact: true })
    .fill(kubeconfig(servers));
  await page.getByRole('button', { name: 'Get clusters' }).click();

  const table = page.getByRole('table', { name: 'Contexts in the kubeconfig' });
  await expect(table.getByText(/aws eks get-token|AWS IAM/)).toBeVisible();
  await expect(
    page.getByRole('checkbox', { name: 'Import eks-ctx' }),
  ).toBeDisabled();
  for (const [i, s] of servers.entries()) {
    await page.getByRole('checkbox', { name: `Import ${s.name}-ctx` }).check();
    await page
      .getByRole('textbox', { name: `Name for ${s.name}-ctx` })
      .fill(`e2e-imported-${i + 1}`);
  }
  await pickOption(page, 'Category', 'dev');
  await page.getByRole('button', { name: 'Register 2 selected' }).click();
  const results = page.getByRole('status');
  await expect(results.getByText(/registered as/)).toHaveCount(2);
  await tallScreenshot(page, 'docs/screenshots/register-kubeconfig.png', 1500);
  await results.getByRole('link', { name: 'e2e-imported-2' }).click();
  await expect(page).toHaveURL(/\/clusters\/e2e-imported-2$/);
  await expect(page.getByText(servers[1].serverUrl)).toBeVisible();
});

test('adds an isolated cluster', async ({ page }) => {
  await openRegistration(page, 'Isolated cluster');
  await page
    .getByRole('textbox', { name: 'Name', exact: true })
    .fill('Bad Name');
  await page.getByRole('button', { name: 'Register isolated cluster' }).click();
  await expect(page.locator('#cluster-name-helper-text')).toContainText(
    'DNS-1123',
  );
  await page
    .getByRole('textbox', { name: 'Name', exact: true })
    .fill('e2e-bank-airgap');
  await page
    .getByRole('textbox', { name: 'Description', exact: true })
    .fill('Air-gapped bank cluster');
  await pickOption(page, 'Category', 'prod');
  await page.getByRole('button', { name: 'Register isolated cluster' }).click();
  await expect(page).toHaveURL(/\/clusters\/e2e-bank-airgap$/);
  await expect(page.getByText('isolated (no endpoint)')).toBeVisible();
});

test('assigns a new category, filters by it, rotates the token and disconnects', async ({
  page,
}) => {
  const [api] = testApiServers();
  await openClusters(page);
  await page.getByRole('link', { name: 'Categories' }).click();
  await page.getByText('Add category').click();
  const add = page.getByRole('dialog', { name: 'Add category' });
  await add
    .getByRole('textbox', { name: 'Name', exact: true })
    .fill('e2e-gold');
  await add.getByRole('button', { name: 'Save' }).click();
  await expect(
    page.getByRole('cell', { name: 'e2e-gold', exact: true }),
  ).toBeVisible();

  // Assign it to the token cluster from its page.
  await page.goto('/clusters/e2e-token');
  await page.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit e2e-token' });
  await expect(
    edit.getByRole('textbox', { name: 'Name', exact: true }),
  ).toBeDisabled();
  await edit.getByLabel('Category').click();
  await page.getByRole('option', { name: 'e2e-gold', exact: true }).click();
  await edit
    .getByRole('textbox', { name: 'Description', exact: true })
    .fill('Gold tier cluster');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(edit).toHaveCount(0);
  await expect(page.getByText('Gold tier cluster')).toBeVisible();

  // Filter the list by it.
  await page.getByRole('link', { name: 'All clusters' }).click();
  await page
    .getByRole('group', { name: 'Filter by category' })
    .getByRole('button', { name: 'e2e-gold' })
    .click();
  await expect(page).toHaveURL(/category=e2e-gold/);
  await expect(
    page.getByRole('link', { name: 'E2E token cluster' }),
  ).toBeVisible();
  await expect(page.getByRole('link', { name: 'e2e-imported-1' })).toHaveCount(
    0,
  );

  // Rotate its token to the read-only one: verified, then the page says so.
  await page.getByRole('link', { name: 'E2E token cluster' }).click();
  await expect(page.getByText('admin', { exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Rotate credentials' }).click();
  const rotate = page.getByRole('dialog', {
    name: 'Rotate credentials of e2e-token',
  });
  await rotate
    .getByRole('textbox', { name: 'Bearer token', exact: true })
    .fill(api.readOnlyToken);
  await rotate.getByRole('button', { name: 'Rotate' }).click();
  await expect(rotate).toHaveCount(0);
  await expect(page.getByText('read', { exact: true })).toBeVisible();
  await page.reload();
  await expect(page.getByText('running')).toBeVisible();
  await tallScreenshot(page, 'docs/screenshots/cluster-page.png', 1000);

  await page.getByRole('button', { name: 'Disconnect' }).click();
  await page
    .getByRole('dialog', { name: 'Disconnect e2e-token?' })
    .getByRole('button', { name: 'Disconnect' })
    .click();
  await expect(page).toHaveURL(/\/clusters$/);
  await expect(
    page.getByRole('link', { name: 'E2E token cluster' }),
  ).toHaveCount(0);
});
