import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  acquireTestEnv,
  b64,
  KubeApiServerEnv,
  RunningTestEnv,
} from '@internal/cluster-registry-test-env';
import crypto from 'node:crypto';
import request from 'supertest';
import { startRegistry } from './__testUtils__/startRegistry';

jest.setTimeout(240_000);

describe('cluster-registry HTTP API against a real kube-apiserver', () => {
  let running: RunningTestEnv;
  let api: KubeApiServerEnv;
  beforeAll(async () => {
    running = await acquireTestEnv({ kubeApiServers: 1 });
    api = running.env.kubeApiServers[0];
  });
  afterAll(() => running?.stop());

  const tokenCluster = (name: string, token: string, extra: object = {}) => ({
    name,
    title: `Cluster ${name}`,
    category: 'prod',
    labels: { region: 'eu' },
    owner: 'group:default/platform',
    serverUrl: api.serverUrl,
    auth: { type: 'bearerToken', token },
    tls: { caData: b64(api.caData) },
    ...extra,
  });

  it('registers, reads, lists, edits, rotates and disconnects; secrets are never returned', async () => {
    const auditor = mockServices.auditor.mock();
    const server = await startRegistry({ auditor });

    const created = await request(server)
      .post('/api/cluster-registry/clusters')
      .send(tokenCluster('prod-eu-1', api.adminToken));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'prod-eu-1',
      category: 'prod',
      auth: { type: 'bearerToken', tokenSet: true },
      status: {
        state: 'running',
        kubernetesVersion: api.kubernetesVersion,
        permissionLevel: 'admin',
        versionSupported: true,
      },
      createdBy: 'user:default/mock',
    });
    expect(JSON.stringify(created.body)).not.toContain(api.adminToken);
    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({
        eventId: 'cluster-register',
        meta: { cluster: 'prod-eu-1' },
      }),
    );

    await request(server)
      .post('/api/cluster-registry/clusters')
      .send({ name: 'bank-airgap', isolated: true, category: 'qa' })
      .expect(201);

    const list = await request(server).get(
      '/api/cluster-registry/clusters?category=prod&category=qa&limit=1',
    );
    expect(list.status).toBe(200);
    expect(list.body.totalCount).toBe(2);
    expect(list.body.items.map((c: any) => c.name)).toEqual(['bank-airgap']);
    const page2 = await request(server).get(
      `/api/cluster-registry/clusters?category=prod&category=qa&limit=1&cursor=${list.body.nextCursor}`,
    );
    expect(page2.body.items.map((c: any) => c.name)).toEqual(['prod-eu-1']);
    expect(
      (
        await request(server).get(
          '/api/cluster-registry/clusters?state=isolated',
        )
      ).body.items[0].status.state,
    ).toBe('isolated');

    const patched = await request(server)
      .patch('/api/cluster-registry/clusters/prod-eu-1')
      .send({ description: 'EU production', category: 'staging' });
    expect(patched.body).toMatchObject({
      description: 'EU production',
      category: 'staging',
    });

    const rotated = await request(server)
      .put('/api/cluster-registry/clusters/prod-eu-1/credentials')
      .send({ auth: { type: 'bearerToken', token: api.readOnlyToken } });
    expect(rotated.status).toBe(200);
    expect(rotated.body.status.permissionLevel).toBe('read');

    const refreshed = await request(server).post(
      '/api/cluster-registry/clusters/prod-eu-1/refresh',
    );
    expect(refreshed.body.status).toMatchObject({
      state: 'running',
      permissionLevel: 'read',
    });

    await request(server)
      .delete('/api/cluster-registry/clusters/prod-eu-1')
      .expect(204);
    await request(server)
      .get('/api/cluster-registry/clusters/prod-eu-1')
      .expect(404);
  });

  it('registers with a client certificate and verifies without saving', async () => {
    const server = await startRegistry();
    const verified = await request(server)
      .post('/api/cluster-registry/verify')
      .send({
        serverUrl: api.serverUrl,
        auth: { type: 'bearerToken', token: api.readOnlyToken },
        tls: { caData: api.caData },
      });
    expect(verified.body).toMatchObject({
      ok: true,
      permissionLevel: 'read',
      kubernetesVersion: api.kubernetesVersion,
    });
    const refused = await request(server)
      .post('/api/cluster-registry/verify')
      .send({
        serverUrl: api.serverUrl,
        auth: { type: 'bearerToken', token: 'nope' },
        tls: { caData: api.caData },
      });
    expect(refused.body).toMatchObject({
      ok: false,
      reason: 'unauthorized',
      field: 'auth',
    });
    expect(
      (await request(server).get('/api/cluster-registry/clusters')).body
        .totalCount,
    ).toBe(0);

    const created = await request(server)
      .post('/api/cluster-registry/clusters')
      .send({
        name: 'cert-cluster',
        serverUrl: api.serverUrl,
        auth: {
          type: 'clientCertificate',
          certData: b64(api.adminCertData),
          keyData: api.adminKeyData,
        },
        tls: { caData: b64(api.caData) },
      });
    expect(created.status).toBe(201);
    expect(created.body.auth).toEqual({
      type: 'clientCertificate',
      certData: b64(api.adminCertData),
      keySet: true,
      // The certificate's notAfter.
      expiresAt: new Date(
        new crypto.X509Certificate(api.adminCertData).validTo,
      ).toISOString(),
    });
  });

  it('re-verifies an edit only when TLS or the connection really changes', async () => {
    const server = await startRegistry();
    // Registered unverified, at an address where nothing answers.
    await request(server)
      .post('/api/cluster-registry/clusters')
      .send({
        name: 'quiet',
        serverUrl: 'https://127.0.0.1:1',
        auth: { type: 'bearerToken', token: 't' },
        tls: { caData: b64(api.caData) },
        skipVerification: true,
      })
      .expect(201);
    // The edit form sends TLS and connection back unchanged: no verification.
    await request(server)
      .patch('/api/cluster-registry/clusters/quiet')
      .send({
        description: 'edited',
        tls: { insecureSkipTlsVerify: false, caData: b64(api.caData) },
        connection: { method: 'direct' },
      })
      .expect(200);
    // A real change is verified (and fails here: nothing answers).
    const changed = await request(server)
      .patch('/api/cluster-registry/clusters/quiet')
      .send({ tls: { insecureSkipTlsVerify: true } });
    expect(changed.status).toBe(400);
    expect(changed.body.error.message).toMatch(
      /^serverUrl: verification failed/,
    );
  });

  it('refuses failed verification with the field and reason, and stores nothing', async () => {
    const server = await startRegistry();
    const cases: Array<[object, RegExp]> = [
      [
        tokenCluster('bad-token', 'nope'),
        /^auth: verification failed \(unauthorized\)/,
      ],
      [
        tokenCluster('no-rights', api.noRightsToken),
        /^auth: verification failed \(forbidden\)/,
      ],
      [
        tokenCluster('wrong-ca', api.adminToken, {
          tls: { caData: b64(api.otherCaData) },
        }),
        /^tls: verification failed \(tls\)/,
      ],
      [
        tokenCluster('down', api.adminToken, {
          serverUrl: 'https://127.0.0.1:1',
        }),
        /^serverUrl: verification failed \(unreachable\)/,
      ],
      [
        tokenCluster('foreign-key', '', {
          auth: {
            type: 'clientCertificate',
            certData: api.adminCertData,
            keyData: crypto
              .generateKeyPairSync('ec', { namedCurve: 'P-256' })
              .privateKey.export({ type: 'pkcs8', format: 'pem' }),
          },
        }),
        /^tls: verification failed \(tls\): the TLS settings cannot be used/,
      ],
    ];
    for (const [body, message] of cases) {
      const res = await request(server)
        .post('/api/cluster-registry/clusters')
        .send(body);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        name: 'InputError',
        message: expect.stringMatching(message),
      });
    }
    expect(
      (await request(server).get('/api/cluster-registry/clusters')).body
        .totalCount,
    ).toBe(0);

    const skipped = await request(server)
      .post('/api/cluster-registry/clusters')
      .send({ ...tokenCluster('later', 'nope'), skipVerification: true });
    expect(skipped.body.status.state).toBe('pending');
  });

  it('answers bad input with 400 naming the field, duplicates with 409', async () => {
    const server = await startRegistry();
    const bad = async (body: object, message: RegExp) => {
      const res = await request(server)
        .post('/api/cluster-registry/clusters')
        .send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
    };
    await bad(
      { ...tokenCluster('Bad_Name', 'x') },
      /^name: must match pattern/,
    );
    await bad(
      { ...tokenCluster('x', 'x'), serverUrl: 'http://10.0.0.1:6443' },
      /serverUrl: must be an https:\/\/ URL/,
    );
    await bad(
      { ...tokenCluster('x', 'x'), serverUrl: 'https://admin:pw@10.0.0.1' },
      /serverUrl: must not contain credentials/,
    );
    await bad(
      { ...tokenCluster('x', 'x'), serverUrl: 'https://169.254.169.254' },
      /^serverUrl: the address policy refuses this destination: 169.254.169.254 is a link-local address/,
    );
    await bad(
      { ...tokenCluster('x', 'x'), colour: 'red' },
      /body: unknown field\(s\) colour/,
    );
    await bad(
      { ...tokenCluster('x', 'x'), labels: 'eu' },
      /^labels: must be object/,
    );
    await bad(
      { ...tokenCluster('x', 'x'), category: 'nope', skipVerification: true },
      /category: unknown category 'nope'/,
    );
    await bad(
      { name: 'iso', isolated: true, serverUrl: api.serverUrl },
      /serverUrl: must not be set for an isolated cluster/,
    );
    await bad({ name: 'x' }, /serverUrl: is required; auth: is required/);

    const big = await request(server)
      .post('/api/cluster-registry/clusters')
      .set('content-type', 'application/json')
      .send(
        JSON.stringify({
          ...tokenCluster('big', 'x'),
          description: 'x'.repeat(10 * 1024 * 1024),
        }),
      );
    expect(big.status).toBe(413);
    expect(big.body.error.message).toBe('body: larger than the 2 MB limit');
    const oneMegabyteKubeconfig = await request(server)
      .post('/api/cluster-registry/kubeconfig/inspect')
      .send({
        kubeconfig: `# ${'x'.repeat(
          1024 * 1024,
        )}\napiVersion: v1\nkind: Config\n`,
      });
    expect(oneMegabyteKubeconfig.body.error.message).toBe(
      'kubeconfig: has no contexts',
    );

    await request(server)
      .post('/api/cluster-registry/clusters')
      .send({ name: 'dup', isolated: true })
      .expect(201);
    const dup = await request(server)
      .post('/api/cluster-registry/clusters')
      .send({ name: 'dup', isolated: true });
    expect(dup.status).toBe(409);
    expect(dup.body.error.name).toBe('ConflictError');

    const rename = await request(server)
      .patch('/api/cluster-registry/clusters/dup')
      .send({ name: 'other' });
    expect(rename.status).toBe(400);
    expect(rename.body.error.message).toMatch(/^name: is immutable/);
    await request(server)
      .patch('/api/cluster-registry/clusters/missing')
      .send({ title: 'x' })
      .expect(404);
  });

  it('serves its OpenAPI document and enforces it', async () => {
    const server = await startRegistry();
    const doc = await request(server).get('/api/cluster-registry/openapi.json');
    expect(doc.status).toBe(200);
    // The checked-in document is 3.1; Backstage's router labels what it
    // serves 3.0.3 while it merges the plugin's paths under its mount point.
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/cluster-registry/clusters',
        '/api/cluster-registry/clusters/{name}/credentials',
        '/api/cluster-registry/kubeconfig/import',
        '/api/cluster-registry/categories/{name}',
      ]),
    );
    expect(
      doc.body.components.schemas.CreateClusterRequest.properties.name.pattern,
    ).toBe('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$');
    const unknownQuery = await request(server).get(
      '/api/cluster-registry/clusters?colour=red',
    );
    expect(unknownQuery.status).toBe(400);
    expect(unknownQuery.body.error.message).toMatch(/colour/);
  });

  it('manages categories: 409 while in use unless reassigned in the same request', async () => {
    const server = await startRegistry();
    expect(
      (
        await request(server).get('/api/cluster-registry/categories')
      ).body.items.map((c: any) => c.name),
    ).toEqual(['dev', 'prod', 'qa', 'staging']);
    await request(server)
      .post('/api/cluster-registry/categories')
      .send({ name: 'edge', color: '#123456' })
      .expect(201);
    await request(server)
      .post('/api/cluster-registry/categories')
      .send({ name: 'edge' })
      .expect(409);
    const short = await request(server)
      .post('/api/cluster-registry/categories')
      .send({ name: 'e' });
    expect(short.body.error.message).toMatch(
      /^name: must NOT have fewer than 2 characters/,
    );
    await request(server)
      .post('/api/cluster-registry/clusters')
      .send({ name: 'e1', isolated: true, category: 'edge' })
      .expect(201);
    const blocked = await request(server).delete(
      '/api/cluster-registry/categories/edge',
    );
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.message).toContain('e1');
    await request(server)
      .delete('/api/cluster-registry/categories/edge?reassignTo=dev')
      .expect(204);
    expect(
      (await request(server).get('/api/cluster-registry/clusters/e1')).body
        .category,
    ).toBe('dev');
    const patched = await request(server)
      .patch('/api/cluster-registry/categories/dev')
      .send({ description: 'Developers' });
    expect(patched.body).toMatchObject({
      name: 'dev',
      description: 'Developers',
    });
  });

  it('requires credentials (401) and permission (403)', async () => {
    const open = await startRegistry();
    await request(open)
      .get('/api/cluster-registry/clusters')
      .set('authorization', mockCredentials.none.header())
      .expect(401);

    const denied = await startRegistry({ permissions: AuthorizeResult.DENY });
    const token = { auth: { type: 'bearerToken', token: 't' } };
    for (const [method, path, body] of [
      ['get', '/clusters', undefined],
      ['post', '/clusters', { name: 'x', isolated: true }],
      ['get', '/clusters/x', undefined],
      ['patch', '/clusters/x', { title: 'x' }],
      ['delete', '/clusters/x', undefined],
      ['put', '/clusters/x/credentials', token],
      ['post', '/clusters/x/refresh', undefined],
      ['post', '/clusters/x/prometheus/test', undefined],
      ['post', '/verify', { serverUrl: api.serverUrl, ...token }],
      ['post', '/prometheus/test', { url: 'http://127.0.0.1:1' }],
      ['post', '/kubeconfig/inspect', { kubeconfig: 'x' }],
      [
        'post',
        '/kubeconfig/import',
        { kubeconfig: 'x', contexts: [{ context: 'x' }] },
      ],
      ['get', '/categories', undefined],
      ['post', '/categories', { name: 'xx' }],
      ['patch', '/categories/dev', { color: '#000000' }],
      ['delete', '/categories/dev', undefined],
    ] as const) {
      const res = await (request(denied) as any)
        [method](`/api/cluster-registry${path}`)
        .send(body);
      expect([method, path, res.status]).toEqual([method, path, 403]);
    }
  });

  it('gives credentials, server-side, only to the plugins allowed to read them', async () => {
    const server = await startRegistry();
    await request(server)
      .post('/api/cluster-registry/clusters')
      .send(tokenCluster('for-kubernetes', api.adminToken))
      .expect(201);
    const asPlugin = (pluginId: string) =>
      request(server)
        .get('/api/cluster-registry/internal/connections')
        .set(
          'authorization',
          mockCredentials.service.header({
            onBehalfOf: mockCredentials.service(`plugin:${pluginId}`),
            targetPluginId: 'cluster-registry',
          }),
        );
    // Users never; services only when listed in credentialConsumers (default: kubernetes).
    await request(server)
      .get('/api/cluster-registry/internal/connections')
      .expect(403);
    await asPlugin('catalog').expect(403);
    const res = await asPlugin('kubernetes').expect(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({
        name: 'for-kubernetes',
        labels: { region: 'eu' },
        serverUrl: api.serverUrl,
        auth: { type: 'bearerToken', token: api.adminToken },
        connection: { method: 'direct' },
      }),
    ]);

    // One connection: what the list holds, and a 404 where it holds nothing.
    const one = (name: string, pluginId = 'kubernetes') =>
      request(server)
        .get(`/api/cluster-registry/internal/connections/${name}`)
        .set(
          'authorization',
          mockCredentials.service.header({
            onBehalfOf: mockCredentials.service(`plugin:${pluginId}`),
            targetPluginId: 'cluster-registry',
          }),
        );
    expect((await one('for-kubernetes').expect(200)).body).toEqual(
      res.body.items[0],
    );
    await one('for-kubernetes', 'catalog').expect(403);
    await request(server)
      .post('/api/cluster-registry/clusters')
      .send({ name: 'air-gapped', isolated: true })
      .expect(201);
    for (const name of ['air-gapped', 'nope']) {
      const missing = await one(name).expect(404);
      expect(missing.body.error.fields).toEqual([
        { field: 'name', reason: expect.any(String) },
      ]);
    }
    await one('x'.repeat(64)).expect(400);
  });

  it('announces every change on the events topic', async () => {
    const events = { publish: jest.fn(async () => {}), subscribe: jest.fn() };
    const server = await startRegistry({ events });
    await request(server)
      .post('/api/cluster-registry/clusters')
      .send({ name: 'announced', isolated: true })
      .expect(201);
    await request(server)
      .delete('/api/cluster-registry/clusters/announced')
      .expect(204);
    expect(events.publish.mock.calls.map((call: unknown[]) => call[0])).toEqual(
      [
        {
          topic: 'cluster-registry.changes',
          eventPayload: { eventId: 'cluster-register', cluster: 'announced' },
        },
        {
          topic: 'cluster-registry.changes',
          eventPayload: { eventId: 'cluster-disconnect', cluster: 'announced' },
        },
      ],
    );
  });
});
