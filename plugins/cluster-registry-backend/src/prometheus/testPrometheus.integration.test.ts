import {
  acquireTestEnv,
  RunningTestEnv,
} from '@internal/cluster-registry-test-env';
import request from 'supertest';
import { startRegistry } from '../__testUtils__/startRegistry';

jest.setTimeout(240_000);

describe('Prometheus connection test against real Prometheus servers', () => {
  let running: RunningTestEnv;
  let server: any;
  beforeAll(async () => {
    running = await acquireTestEnv({ prometheus: true });
    server = await startRegistry();
  });
  afterAll(() => running?.stop());

  const test = (body: object) =>
    request(server).post('/api/cluster-registry/prometheus/test').send(body);

  it('queries the anonymous instance', async () => {
    const res = await test({ url: running.env.prometheus!.anonymousUrl });
    expect(res.body).toMatchObject({
      ok: true,
      version: expect.stringMatching(/^2\./),
    });
    expect(typeof res.body.seriesCount).toBe('number');
  });

  it('queries the Basic-auth TLS instance only with the right password and CA', async () => {
    const p = running.env.prometheus!;
    const ca = Buffer.from(p.caData).toString('base64');
    const basic = (password: string) => ({
      type: 'basic',
      username: p.username,
      password,
    });
    expect(
      (
        await test({
          url: p.secureUrl,
          auth: basic(p.password),
          tls: { caData: ca },
        })
      ).body,
    ).toMatchObject({ ok: true });
    expect(
      (
        await test({
          url: p.secureUrl,
          auth: basic('wrong'),
          tls: { caData: ca },
        })
      ).body,
    ).toMatchObject({
      ok: false,
      message: 'Prometheus refused the credentials (401)',
    });
    expect(
      (await test({ url: p.secureUrl, auth: basic(p.password) })).body,
    ).toMatchObject({
      ok: false,
      message: expect.stringMatching(/certificate/),
    });
    expect(
      (
        await test({
          url: p.secureUrl,
          auth: basic(p.password),
          tls: { insecureSkipTlsVerify: true },
        })
      ).body.ok,
    ).toBe(true);
  });

  it('tests the stored endpoint of a cluster; the password is never returned', async () => {
    const p = running.env.prometheus!;
    const created = await request(server)
      .post('/api/cluster-registry/clusters')
      .send({
        name: 'with-prom',
        serverUrl: 'https://127.0.0.1:1',
        auth: { type: 'bearerToken', token: 't' },
        skipVerification: true,
        prometheus: {
          url: p.secureUrl,
          auth: { type: 'basic', username: p.username, password: p.password },
          tls: { caData: p.caData },
        },
      });
    expect(created.status).toBe(201);
    expect(created.body.prometheus).toMatchObject({
      auth: { type: 'basic', username: p.username, passwordSet: true },
    });
    expect(JSON.stringify(created.body)).not.toContain(p.password);
    expect(
      (
        await request(server).post(
          '/api/cluster-registry/clusters/with-prom/prometheus/test',
        )
      ).body.ok,
    ).toBe(true);

    // Secrets are write-only: an edit that leaves the password out keeps it.
    const edited = await request(server)
      .patch('/api/cluster-registry/clusters/with-prom')
      .send({
        skipVerification: true,
        prometheus: {
          url: p.secureUrl,
          auth: { type: 'basic', username: p.username },
          tls: { caData: p.caData },
        },
      });
    expect(edited.status).toBe(200);
    expect(
      (
        await request(server).post(
          '/api/cluster-registry/clusters/with-prom/prometheus/test',
        )
      ).body.ok,
    ).toBe(true);

    await request(server)
      .post('/api/cluster-registry/clusters')
      .send({ name: 'no-prom', isolated: true })
      .expect(201);
    await request(server)
      .post('/api/cluster-registry/clusters')
      .send({
        name: 'anonymous-prom',
        serverUrl: 'https://127.0.0.1:1',
        auth: { type: 'bearerToken', token: 't' },
        skipVerification: true,
        prometheus: { url: p.anonymousUrl },
      })
      .expect(201);
    const noPassword = await request(server)
      .patch('/api/cluster-registry/clusters/anonymous-prom')
      .send({
        prometheus: {
          url: p.secureUrl,
          auth: { type: 'basic', username: p.username },
        },
      });
    expect(noPassword.status).toBe(400);
    expect(noPassword.body.error.message).toBe(
      'prometheus.auth.password: is required',
    );
    const none = await request(server).post(
      '/api/cluster-registry/clusters/no-prom/prometheus/test',
    );
    expect(none.status).toBe(400);
    expect(none.body.error.message).toMatch(/^prometheus: /);
  });

  it('reports an endpoint that is not Prometheus', async () => {
    const res = await test({
      url: `${running.env.prometheus!.anonymousUrl}/nothing-here/`,
    });
    expect(res.body.ok).toBe(false);
  });
});
