import { expect, test } from '@playwright/test';
import crypto from 'node:crypto';
import fs from 'node:fs';
import WebSocket from 'ws';
import {
  backend,
  guestAuth,
  openClusters,
  runTemplate,
  signIn,
  testBastion,
} from './helpers';

const ID = 'demo-shop'; // examples/demo-shop.yaml: backstage.io/kubernetes-id
const CLUSTER = 'e2e-private';

/**
 * A private cluster reachable only through an SSH bastion (a network
 * namespace of the test environment; see test-env's bastion service),
 * registered in the browser with a private key, then used by the real
 * Kubernetes plugin of the portal: its /proxy (objects created) and an
 * entity's Kubernetes tab. sshd's log proves each went through the bastion.
 *
 * Then a websocket watch through the plugin's /proxy, after the browser has
 * opened the signals backend's websocket: the demo backend routes upgrade
 * requests through Express (packages/backend/src/modules/upgradeRouting.ts),
 * without which signals' upgrade listener would leave it unanswered.
 */
test('registers a cluster behind an SSH bastion with a key from the form, pins its host key, and serves the Kubernetes tab through the tunnel', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  const bastion = testBastion();
  const api = bastion.kubeApiServer;
  const sshLog = () => fs.readFileSync(bastion.ssh.logFile, 'utf8');
  const forwards = () =>
    sshLog()
      .split('\n')
      .filter(
        l =>
          l.includes('direct_tcpip') &&
          l.includes(`target ${bastion.apiHost} port 6443`),
      ).length;

  // A run against a long-lived portal may find the previous run's cluster.
  await request.delete(`${backend}/api/cluster-registry/clusters/${CLUSTER}`, {
    headers: await guestAuth(request),
  });

  const browserSockets: string[] = [];
  page.on('websocket', ws => browserSockets.push(ws.url()));
  await openClusters(page);
  await page.getByRole('button', { name: 'Register cluster' }).first().click();
  await page.getByRole('tab', { name: 'Server URL & credentials' }).click();
  const field = (name: string) =>
    page.getByRole('textbox', { name, exact: true });
  await field('Name').fill(CLUSTER);
  await field('Display name').fill('Private cluster');
  await field('Server URL').fill(api.serverUrl);
  await field('Bearer token').fill(api.adminToken);
  await field('Certificate authority (PEM)').fill(api.caData);
  await page.getByLabel('Connection method').click();
  await page.getByRole('option', { name: 'Via SSH tunnel' }).click();
  await field('SSH host').fill(bastion.ssh.host);
  await page.getByRole('spinbutton', { name: 'SSH port' }).fill('22');
  await field('SSH user').fill(bastion.ssh.username);
  await field('SSH private key').fill(bastion.ssh.privateKey);

  const before = forwards();
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('status')).toContainText(
    `Connected: Kubernetes ${api.kubernetesVersion}`,
  );
  const blob = Buffer.from(bastion.ssh.hostKey.split(/\s+/)[1], 'base64');
  const fingerprint = `SHA256:${crypto
    .createHash('sha256')
    .update(blob)
    .digest('base64')
    .replace(/=+$/, '')}`;
  await expect(page.getByRole('status')).toContainText(fingerprint);
  await expect(page.getByRole('status')).toContainText('registering pins it');
  expect(forwards()).toBeGreaterThan(before);
  await page.setViewportSize({ width: 1280, height: 2600 });
  await page.screenshot({ path: 'docs/screenshots/register-ssh-tunnel.png' });
  await page.setViewportSize({ width: 1280, height: 720 });

  await page.getByRole('button', { name: 'Register', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/clusters/${CLUSTER}$`));
  await expect(page.getByText(fingerprint)).toBeVisible();
  await expect(
    page.getByText(
      `via SSH tunnel ${bastion.ssh.username}@${bastion.ssh.host}:22`,
    ),
  ).toBeVisible();
  await expect(page.getByText(bastion.ssh.privateKey)).toHaveCount(0);

  // The workloads, created through the portal's Kubernetes proxy, which
  // reaches the private API server through the tunnel.
  const auth = await guestAuth(request);
  const proxyHeaders = { ...auth, 'Backstage-Kubernetes-Cluster': CLUSTER };
  const namespace = `private-${Date.now().toString(36)}`;
  const labels = { 'backstage.io/kubernetes-id': ID, app: 'demo-shop' };
  const container = { name: 'web', image: 'registry.example/shop:1.0' };

  const beforeProxy = forwards();
  for (const [path, body] of [
    ['/api/v1/namespaces', { metadata: { name: namespace } }],
    [
      `/apis/apps/v1/namespaces/${namespace}/deployments`,
      {
        metadata: { name: 'demo-shop-private', labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [container] } },
        },
      },
    ],
  ] as const) {
    const res = await request.post(`${backend}/api/kubernetes/proxy${path}`, {
      headers: proxyHeaders,
      data: body,
    });
    expect(res.status(), `${path}: ${await res.text()}`).toBe(201);
  }
  expect(forwards()).toBeGreaterThan(beforeProxy);

  // The entity's Kubernetes tab: the private cluster's workloads.
  const beforeTab = forwards();
  await page.goto(`/catalog/default/component/${ID}/kubernetes`);
  await expect(page.getByText('Private cluster').first()).toBeVisible();
  await page.getByText('Private cluster').first().click();
  await expect(page.getByText('demo-shop-private').first()).toBeVisible();
  // The cluster's accordion animates open; let it settle for the screenshot.
  await page.waitForTimeout(1000);
  await page.screenshot({
    path: 'docs/screenshots/entity-kubernetes-tab-ssh.png',
  });
  expect(forwards()).toBeGreaterThan(beforeTab);

  // A websocket watch through the plugin's /proxy and the tunnel, once the
  // browser holds the signals websocket.
  await expect
    .poll(() => browserSockets.some(u => u.includes('/api/signals')))
    .toBe(true);
  const beforeWatch = forwards();
  const watched = `watched-${Date.now().toString(36)}`;
  const events: any[] = [];
  const watch = new WebSocket(
    `${backend.replace(
      /^http/,
      'ws',
    )}/api/kubernetes/proxy/api/v1/namespaces/${namespace}/configmaps?watch=true&fieldSelector=metadata.name%3D${watched}`,
    { headers: proxyHeaders, origin: backend },
  );
  watch.on('message', data => events.push(JSON.parse(String(data))));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('the /proxy upgrade was not answered in 15 s')),
      15_000,
    );
    watch.once('open', () => resolve(clearTimeout(timer)));
    watch.once('error', reject);
    watch.once('unexpected-response', (_req, res) =>
      reject(new Error(`the /proxy upgrade was answered ${res.statusCode}`)),
    );
  });
  const created = await request.post(
    `${backend}/api/kubernetes/proxy/api/v1/namespaces/${namespace}/configmaps`,
    { headers: proxyHeaders, data: { metadata: { name: watched } } },
  );
  expect(created.status()).toBe(201);
  await expect
    .poll(() => events.length, { timeout: 10_000 })
    .toBeGreaterThan(0);
  watch.close();
  expect(events[0]).toMatchObject({
    type: 'ADDED',
    object: { metadata: { name: watched } },
  });
  expect(forwards()).toBeGreaterThan(beforeWatch);

  // Nothing of the tunnel is shown: the plugin lists the cluster without a
  // loopback URL.
  const clusters = await request.get(`${backend}/api/kubernetes/clusters`, {
    headers: auth,
  });
  expect(JSON.stringify(await clusters.json())).not.toContain('127.0.0.1');

  await request
    .delete(`${backend}/api/cluster-registry/clusters/${CLUSTER}`, {
      headers: auth,
    })
    .then(res => expect(res.status()).toBe(204));
});

test('the register-cluster template registers clusters behind the SSH bastion and the HTTP proxy, their passwords as task secrets', async ({
  request,
}) => {
  test.setTimeout(180_000);
  const bastion = testBastion();
  const api = bastion.kubeApiServer;
  const auth = await guestAuth(request);
  const count = (file: string, needle: (l: string) => boolean) =>
    fs.readFileSync(file, 'utf8').split('\n').filter(needle).length;
  const sshForwards = () =>
    count(
      bastion.ssh.logFile,
      l =>
        l.includes('direct_tcpip') &&
        l.includes(`target ${bastion.apiHost} port 6443`),
    );
  const proxyConnects = () =>
    count(bastion.proxy.logFile, l =>
      l.includes(`CONNECT ${bastion.apiHost}:6443`),
    );
  const common = {
    category: 'dev',
    owner: 'group:default/platform',
    serverUrl: api.serverUrl,
    caData: api.caData,
  };
  for (const name of ['e2e-tpl-ssh', 'e2e-tpl-proxy'])
    await request.delete(`${backend}/api/cluster-registry/clusters/${name}`, {
      headers: auth,
    });

  const beforeSsh = sshForwards();
  const viaSsh = await runTemplate(
    request,
    auth,
    'template:default/register-cluster',
    {
      ...common,
      name: 'e2e-tpl-ssh',
      connectionMethod: 'sshTunnel',
      sshHost: bastion.ssh.host,
      sshPort: bastion.ssh.port,
      sshUsername: bastion.ssh.username,
    },
    { token: api.adminToken, sshPassword: bastion.ssh.password },
  );
  expect(viaSsh.task.status, viaSsh.events).toBe('completed');
  expect(viaSsh.events).toContain('registered e2e-tpl-ssh: running');
  expect(viaSsh.events).not.toContain(bastion.ssh.password);
  expect(sshForwards()).toBeGreaterThan(beforeSsh);

  const beforeProxy = proxyConnects();
  const viaProxy = await runTemplate(
    request,
    auth,
    'template:default/register-cluster',
    {
      ...common,
      name: 'e2e-tpl-proxy',
      connectionMethod: 'proxy',
      proxyUrl: bastion.proxy.url,
    },
    { token: api.adminToken },
  );
  expect(viaProxy.task.status, viaProxy.events).toBe('completed');
  expect(viaProxy.events).toContain('registered e2e-tpl-proxy: running');
  expect(proxyConnects()).toBeGreaterThan(beforeProxy);

  // Stored with their connection methods, the SSH key pinned on the way.
  const ssh = await (
    await request.get(`${backend}/api/cluster-registry/clusters/e2e-tpl-ssh`, {
      headers: auth,
    })
  ).json();
  expect(ssh.connection).toMatchObject({
    method: 'sshTunnel',
    sshTunnel: { host: bastion.ssh.host, username: bastion.ssh.username },
  });
  expect(ssh.connection.sshTunnel.hostKeys?.length).toBeGreaterThan(0);
  expect(JSON.stringify(ssh)).not.toContain(bastion.ssh.password);
  for (const name of ['e2e-tpl-ssh', 'e2e-tpl-proxy'])
    await request.delete(`${backend}/api/cluster-registry/clusters/${name}`, {
      headers: auth,
    });
});
