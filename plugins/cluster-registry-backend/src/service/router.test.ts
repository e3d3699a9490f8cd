import { mockCredentials } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { startRegistry } from '../__testUtils__/startRegistry';

/**
 * The router as an adapter, without test-env: HTTP in, the service's answer
 * out, with the status and `error.fields` the contract documents. (What
 * needs a real API server is in plugin.integration.test.ts.)
 */
describe('router', () => {
  const base = '/api/cluster-registry';

  it('answers each route with its status and body, and errors with their fields', async () => {
    const server = await startRegistry();
    const created = await request(server)
      .post(`${base}/clusters`)
      .send({ name: 'vault', isolated: true, labels: { site: 'b2' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'vault',
      isolated: true,
      status: { state: 'isolated' },
    });

    expect(
      (await request(server).get(`${base}/clusters/vault`)).body.name,
    ).toBe('vault');
    const page = await request(server).get(`${base}/clusters?limit=10`);
    expect(page.body).toMatchObject({
      totalCount: 1,
      items: [{ name: 'vault' }],
    });

    // The validator's 400 and zod's 400 both name their field.
    const badType = await request(server)
      .post(`${base}/clusters`)
      .send({ name: 'x', isolated: 'yes' });
    expect(badType.status).toBe(400);
    expect(badType.body.error.fields).toEqual([
      { field: 'isolated', reason: expect.any(String) },
    ]);
    const noAuth = await request(server)
      .post(`${base}/clusters`)
      .send({ name: 'x', serverUrl: 'https://10.0.0.1:6443' });
    expect(noAuth.status).toBe(400);
    expect(noAuth.body.error.fields).toEqual([
      { field: 'auth', reason: 'is required' },
    ]);

    const again = await request(server)
      .post(`${base}/clusters`)
      .send({ name: 'vault', isolated: true });
    expect(again.status).toBe(409);
    expect(again.body.error.fields).toEqual([
      { field: 'name', reason: expect.stringMatching(/already exists/) },
    ]);
    const missing = await request(server).get(`${base}/clusters/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.fields[0].field).toBe('name');

    const text = await request(server)
      .post(`${base}/clusters`)
      .set('content-type', 'text/plain')
      .send('name=x');
    expect(text.status).toBe(415);

    expect(
      (
        await request(server)
          .post(`${base}/categories`)
          .send({ name: 'edge', color: '#112233' })
      ).status,
    ).toBe(201);
    expect(
      (
        await request(server)
          .patch(`${base}/clusters/vault`)
          .send({ category: 'edge' })
      ).body.category,
    ).toBe('edge');
    const inUse = await request(server).delete(`${base}/categories/edge`);
    expect(inUse.status).toBe(409);
    expect(
      (await request(server).delete(`${base}/categories/edge?clear=true`))
        .status,
    ).toBe(204);
    expect(
      (await request(server).delete(`${base}/clusters/vault`)).status,
    ).toBe(204);
  });

  it('leaves the decision to the service: 403 for a denied caller, credentials only for consumers', async () => {
    const denied = await startRegistry({ permissions: AuthorizeResult.DENY });
    const res = await request(denied).get(`${base}/clusters`);
    expect(res.status).toBe(403);

    const server = await startRegistry();
    const asPlugin = (pluginId: string) =>
      request(server)
        .get(`${base}/internal/connections`)
        .set(
          'authorization',
          mockCredentials.service.header({
            onBehalfOf: mockCredentials.service(`plugin:${pluginId}`),
            targetPluginId: 'cluster-registry',
          }),
        );
    expect(
      (await request(server).get(`${base}/internal/connections`)).status,
    ).toBe(403);
    expect((await asPlugin('catalog')).status).toBe(403);
    expect((await asPlugin('kubernetes')).body).toEqual({ items: [] });
  });
});
