import { expect, request as playwrightRequest, test } from '@playwright/test';
import { backend, guestAuth, signIn, testApiServers } from './helpers';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const ID = 'demo-shop'; // examples/demo-shop.yaml: backstage.io/kubernetes-id

test("a registered cluster shows an entity's workloads in the Kubernetes plugin at once, and no more once disconnected", async ({
  page,
  request,
}) => {
  const [api, certApi] = testApiServers();
  const auth = await guestAuth(request);

  // The workloads, created as API objects in two real API servers.
  const namespace = `shop-${Date.now().toString(36)}`;
  const labels = { 'backstage.io/kubernetes-id': ID, app: 'demo-shop' };
  const container = { name: 'web', image: 'registry.example/shop:1.0' };
  for (const [path, body] of [
    ['/api/v1/namespaces', { metadata: { name: namespace } }],
    [
      `/apis/apps/v1/namespaces/${namespace}/deployments`,
      {
        metadata: { name: 'demo-shop-web', labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [container] },
          },
        },
      },
    ],
    [
      `/api/v1/namespaces/${namespace}/pods`,
      {
        metadata: { name: 'demo-shop-web-1', labels },
        spec: { containers: [container] },
      },
    ],
  ] as const) {
    for (const server of [api, certApi]) {
      const kube = await playwrightRequest.newContext({
        baseURL: server.serverUrl,
        ignoreHTTPSErrors: true,
        extraHTTPHeaders: { authorization: `Bearer ${server.adminToken}` },
      });
      const res = await kube.post(path, { data: body });
      expect(res.status(), `${path}: ${await res.text()}`).toBe(201);
    }
  }

  // The entity is in the catalog (examples/demo-shop.yaml).
  await expect
    .poll(
      async () =>
        (
          await request.get(
            `${backend}/api/catalog/entities/by-name/component/default/${ID}`,
            { headers: auth },
          )
        ).status(),
      { timeout: 60_000 },
    )
    .toBe(200);

  const objects = async () => {
    const res = await request.post(`${backend}/api/kubernetes/services/${ID}`, {
      headers: auth,
      data: {
        entity: {
          kind: 'Component',
          metadata: { name: ID, namespace: 'default' },
        },
      },
    });
    expect(res.status()).toBe(200);
    const body = await res.json();
    return Object.fromEntries(
      body.items.map((item: any) => [
        item.cluster.name,
        item.resources
          .find((r: any) => r.type === 'deployments')
          ?.resources.filter((d: any) => d.metadata.namespace === namespace)
          .map((d: any) => d.metadata.name),
      ]),
    );
  };
  expect((await objects())['e2e-k8s-shop']).toBeUndefined();

  // Registered through the registry's API: asked right away, the Kubernetes
  // plugin already has it (no restart, no config edit).
  const registered = await request.post(
    `${backend}/api/cluster-registry/clusters`,
    {
      headers: auth,
      data: {
        name: 'e2e-k8s-shop',
        title: 'Shop cluster',
        category: 'prod',
        serverUrl: api.serverUrl,
        auth: { type: 'bearerToken', token: api.adminToken },
        tls: { caData: b64(api.caData) },
      },
    },
  );
  expect(registered.status()).toBe(201);
  expect((await objects())['e2e-k8s-shop']).toEqual(['demo-shop-web']);

  // A client-certificate cluster works the same (x509, resolved server-side).
  const withCert = await request.post(
    `${backend}/api/cluster-registry/clusters`,
    {
      headers: auth,
      data: {
        name: 'e2e-k8s-shop-cert',
        category: 'qa',
        serverUrl: certApi.serverUrl,
        auth: {
          type: 'clientCertificate',
          certData: certApi.adminCertData,
          keyData: certApi.adminKeyData,
        },
        tls: { caData: certApi.caData },
      },
    },
  );
  expect(withCert.status()).toBe(201);
  expect((await objects())['e2e-k8s-shop-cert']).toEqual(['demo-shop-web']);

  const clusters = await request.get(`${backend}/api/kubernetes/clusters`, {
    headers: auth,
  });
  const listed = (await clusters.json()).items.find(
    (c: any) => c.name === 'e2e-k8s-shop',
  );
  expect(listed).toMatchObject({
    title: 'Shop cluster (prod)',
    authProvider: 'serviceAccount',
  });
  expect(JSON.stringify(await clusters.json())).not.toContain(api.adminToken);

  // The entity's Kubernetes tab in the browser.
  await signIn(page);
  await page.goto(`/catalog/default/component/${ID}/kubernetes`);
  await expect(page.getByText('Shop cluster (prod)').first()).toBeVisible();
  await page.getByText('Shop cluster (prod)').first().click();
  await expect(page.getByText('demo-shop-web').first()).toBeVisible();
  await page.screenshot({ path: 'docs/screenshots/entity-kubernetes-tab.png' });

  await request
    .delete(`${backend}/api/cluster-registry/clusters/e2e-k8s-shop`, {
      headers: auth,
    })
    .then(res => expect(res.status()).toBe(204));
  const after = await objects();
  expect(after['e2e-k8s-shop']).toBeUndefined();
  expect(after['e2e-k8s-shop-cert']).toEqual(['demo-shop-web']);
});
