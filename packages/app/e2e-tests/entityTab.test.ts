import net from 'node:net';
import { expect, request as playwrightRequest, test } from '@playwright/test';
import { backend, guestAuth, testApiServers } from './helpers';

const b64 = (text: string) => Buffer.from(text).toString('base64');
// examples/ledger.yaml: kubernetes-id ledger, cluster-registry.io/categories: qa
const ENTITY = 'ledger';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return port;
}

test('an entity that names its clusters by category: its tab asks only those, and a cluster the registry found unreachable answers at once', async ({
  request,
}) => {
  const [api] = testApiServers();
  const auth = await guestAuth(request);
  const suffix = Date.now().toString(36);

  // The entity's object in the API server, as its deployment would put it.
  const kube = await playwrightRequest.newContext({
    baseURL: api.serverUrl,
    ignoreHTTPSErrors: true,
    extraHTTPHeaders: { authorization: `Bearer ${api.adminToken}` },
  });
  const seeded = await kube.post('/api/v1/namespaces/default/configmaps', {
    data: {
      metadata: {
        name: `ledger-${suffix}`,
        labels: { 'backstage.io/kubernetes-id': ENTITY },
      },
      data: { mode: 'e2e' },
    },
  });
  expect(seeded.status(), await seeded.text()).toBe(201);

  // Two clusters on that API server, one in qa and one in prod, and an
  // unreachable one in qa.
  const near = `e2e-ledger-qa-${suffix}`;
  const other = `e2e-ledger-prod-${suffix}`;
  const far = `e2e-ledger-lost-${suffix}`;
  for (const [name, category] of [
    [near, 'qa'],
    [other, 'prod'],
  ]) {
    const res = await request.post(`${backend}/api/cluster-registry/clusters`, {
      headers: auth,
      data: {
        name,
        category,
        serverUrl: api.serverUrl,
        auth: { type: 'bearerToken', token: api.readOnlyToken },
        tls: { caData: b64(api.caData) },
      },
    });
    expect(res.status(), await res.text()).toBe(201);
  }
  const lost = await request.post(`${backend}/api/cluster-registry/clusters`, {
    headers: auth,
    data: {
      name: far,
      category: 'qa',
      serverUrl: `https://127.0.0.1:${await closedPort()}`,
      auth: { type: 'bearerToken', token: 'unused' },
      skipVerification: true,
    },
  });
  expect(lost.status(), await lost.text()).toBe(201);
  const refreshed = await request.post(
    `${backend}/api/cluster-registry/clusters/${far}/refresh`,
    { headers: auth },
  );
  expect((await refreshed.json()).status.state).toBe('unreachable');

  await expect
    .poll(
      async () =>
        (
          await request.get(
            `${backend}/api/catalog/entities/by-name/component/default/${ENTITY}`,
            { headers: auth },
          )
        ).status(),
      { timeout: 60_000 },
    )
    .toBe(200);
  const tab = await request.post(
    `${backend}/api/kubernetes/services/${ENTITY}`,
    {
      headers: auth,
      data: {
        entity: {
          kind: 'Component',
          metadata: { name: ENTITY, namespace: 'default' },
        },
      },
    },
  );
  expect(tab.status(), await tab.text()).toBe(200);
  const items: Array<{
    cluster: { name: string };
    errors: Array<{ errorType: string; message?: string }>;
    resources: Array<{ type: string; resources: any[] }>;
  }> = (await tab.json()).items;
  const byName = new Map(items.map(i => [i.cluster.name, i]));
  // The qa cluster with the object; not the prod one, though it has it too.
  expect(
    byName
      .get(near)
      ?.resources.find(r => r.type === 'configmaps')
      ?.resources.map(c => c.metadata.name),
  ).toContain(`ledger-${suffix}`);
  expect(byName.has(other)).toBe(false);
  // The unreachable one: the registry's word, not a connect timeout.
  expect(byName.get(far)?.errors).toEqual([
    {
      errorType: 'FETCH_ERROR',
      message: expect.stringMatching(/last health check could not reach/),
    },
  ]);

  for (const name of [near, other, far])
    await request.delete(`${backend}/api/cluster-registry/clusters/${name}`, {
      headers: auth,
    });
});
