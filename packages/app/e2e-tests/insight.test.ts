import { expect, Page, test } from '@playwright/test';
import {
  backend,
  guestAuth,
  openClusters,
  testApiServers,
  testMonitoring,
} from './helpers';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const NAME = 'e2e-insight';
// examples/storefront.yaml: backstage.io/kubernetes-id storefront, the
// workload test-env's monitoring seeds in the first cluster.
const ENTITY = 'storefront';

/**
 * Waits until the chart with this title has drawn a series: a recharts line or
 * area with a path through several points (a flat series has no height, so
 * "visible" would not do).
 */
const drawn = (page: Page, title: string) =>
  expect(
    page
      .getByRole('figure', { name: `${title} chart` })
      .locator('.recharts-line-curve, .recharts-area-curve')
      .first(),
  ).toHaveAttribute('d', /^M[\d.]+,[\d.]+[CL][\d.,CL]+/);

test('a cluster page shows its nodes with roles, warning events first, capacity and metrics charts; an entity shows its application metrics', async ({
  page,
  request,
}) => {
  const monitoring = testMonitoring();
  const monitored = monitoring.clusters[0];
  const api = testApiServers().find(s => s.name === monitored.name)!;
  const auth = await guestAuth(request);
  const res = await request.post(`${backend}/api/cluster-registry/clusters`, {
    headers: auth,
    data: {
      name: NAME,
      title: 'Shop cluster (monitored)',
      description: 'A test API server with Prometheus and exporters',
      serverUrl: api.serverUrl,
      auth: { type: 'bearerToken', token: api.adminToken },
      tls: { caData: b64(api.caData) },
      prometheus: {
        url: monitoring.prometheusUrl,
        clusterLabel: {
          name: monitoring.clusterLabel,
          value: monitored.clusterLabelValue,
        },
      },
    },
  });
  expect([201, 409], await res.text()).toContain(res.status());

  // The list: node count and the health trend of the checks so far.
  await openClusters(page);
  const row = page.getByRole('row').filter({ hasText: NAME });
  await expect(row).toBeVisible();
  await expect(
    row.getByRole('img', { name: /^last \d+ checks/ }),
  ).toBeVisible();

  await row.getByRole('link', { name: 'Shop cluster (monitored)' }).click();
  await expect(page).toHaveURL(new RegExp(`/clusters/${NAME}$`));

  // Nodes as the API server has them, with their roles; a role filter.
  await expect(
    page.getByText(
      new RegExp(`^Nodes \\(\\d+/${monitored.nodes.length} ready`),
    ),
  ).toBeVisible();
  for (const node of monitored.nodes)
    await expect(
      page.getByRole('cell', { name: node, exact: true }),
    ).toBeVisible();
  const roleFilter = page.getByRole('group', { name: 'Filter nodes' });
  for (const role of monitored.nodeRoles)
    await expect(roleFilter.getByRole('button', { name: role })).toBeVisible();
  await roleFilter.getByRole('button', { name: 'gpu' }).click();
  await expect(
    page.getByRole('cell', { name: 'gpu-1', exact: true }),
  ).toBeVisible();
  await expect(
    page.getByRole('cell', { name: 'worker-1', exact: true }),
  ).toHaveCount(0);
  await roleFilter.getByRole('button', { name: 'gpu' }).click();
  await expect(
    page.getByRole('cell', { name: 'worker-1', exact: true }),
  ).toBeVisible();

  // Warning events come first.
  for (const reason of monitored.warningEventReasons)
    await expect(
      page.getByRole('cell', { name: reason, exact: true }).first(),
    ).toBeVisible();

  // Version support, capacity and what the credentials may do.
  const card = (title: string) =>
    page
      // The production build suffixes MUI class names (MuiCard-root-123).
      .locator('[class*="MuiCard-root"]')
      .filter({ has: page.getByText(title, { exact: true }) })
      .last();
  const version = card('Kubernetes version');
  await expect(version.getByText(api.kubernetesVersion).first()).toBeVisible();
  await expect(version.getByText(/^Supported( \(newest\))?$/)).toBeVisible();
  await expect(card('CPU (cores)')).toBeVisible();
  // The admin token: everything, which the card flags as more than needed.
  await expect(
    card('What the credentials may do').getByText('everything (cluster-admin)'),
  ).toBeVisible();

  // Charts with real series from node-exporter, kube-state-metrics and the API server.
  for (const chart of [
    'CPU utilisation',
    'Memory utilisation',
    'Pods by phase',
    'API requests by code',
  ])
    await drawn(page, chart);
  await expect(page.getByText('node-exporter: found')).toBeVisible();
  await expect(page.getByText('kube-state-metrics: found')).toBeVisible();
  await expect(page.getByText('cAdvisor (kubelet): not found')).toBeVisible();

  // The range is kept in the URL.
  await page
    .getByRole('group', { name: 'Time range' })
    .getByRole('button', { name: '15m' })
    .click();
  await expect(page).toHaveURL(/range=15m/);
  await drawn(page, 'CPU utilisation');
  await page.reload();
  await expect(
    page
      .getByRole('group', { name: 'Time range' })
      .getByRole('button', { name: '15m' }),
  ).toHaveAttribute('aria-pressed', 'true');
  await drawn(page, 'API requests by code');
  // The portal scrolls inside its own layout, so a full-page screenshot would
  // stop at the window: a tall window shows the whole page at once.
  const viewport = page.viewportSize()!;
  await page.setViewportSize({ width: viewport.width, height: 4600 });
  await drawn(page, 'API p99 latency by verb');
  await page.screenshot({ path: 'docs/screenshots/cluster-insight.png' });
  await page.setViewportSize(viewport);

  // The entity's application metrics, from the clusters that run it.
  await page.goto(`/catalog/default/component/${ENTITY}`);
  const metrics = card('Application metrics');
  await expect(metrics).toBeVisible();
  await expect(metrics.getByText('Shop cluster (monitored)')).toBeVisible();
  await expect(
    metrics.getByText(
      new RegExp(
        `Deployment ${monitored.workload!.namespace}/${
          monitored.workload!.deployment
        }: \\d+/\\d+ available`,
      ),
    ),
  ).toBeVisible();
  for (const chart of [
    'Requests',
    'Latency p50 / p95 / p99',
    'Container restarts',
  ])
    await drawn(page, chart);
  await metrics.scrollIntoViewIfNeeded();
  await metrics.screenshot({
    path: 'docs/screenshots/entity-metrics-card.png',
  });

  // Gone with the cluster: disconnecting removes it from the card too.
  const removed = await request.delete(
    `${backend}/api/cluster-registry/clusters/${NAME}`,
    { headers: auth },
  );
  expect(removed.status()).toBe(204);
  await page.reload();
  await expect(
    page.getByText('Not running in a registered cluster with Prometheus'),
  ).toBeVisible();
});
