import {
  acquireTestEnv,
  b64,
  createServiceAccountToken,
  RunningTestEnv,
} from '@internal/cluster-registry-test-env';
import { X509Certificate } from 'node:crypto';
import request from 'supertest';
import { startRegistry } from '../__testUtils__/startRegistry';

jest.setTimeout(240_000);

const BASE = '/api/cluster-registry';

describe('credential expiry, read from credentials a real API server issues and accepts', () => {
  let running: RunningTestEnv;
  let server: any;
  beforeAll(async () => {
    running = await acquireTestEnv({ kubeApiServers: 1 });
    server = await startRegistry();
  });
  afterAll(() => running?.stop());

  /**
   * A ServiceAccount token from the TokenRequest API, valid for `seconds`,
   * with the window in which the API server must have set its expiry.
   */
  async function serviceAccountToken(name: string, seconds: number) {
    const before = Date.now();
    const token = await createServiceAccountToken(
      running.env.kubeApiServers[0],
      {
        name,
        clusterRole: 'view',
        expirationSeconds: seconds,
      },
    );
    const after = Date.now();
    return {
      token,
      // exp has whole seconds.
      window: [before + seconds * 1000 - 1000, after + seconds * 1000],
    };
  }
  const within = (iso: string, [from, to]: number[]) => {
    const at = Date.parse(iso);
    expect(at).toBeGreaterThanOrEqual(from);
    expect(at).toBeLessThanOrEqual(to);
  };

  it('a TokenRequest token: its exp is kept at registration and replaced at rotation', async () => {
    const api = running.env.kubeApiServers[0];
    const first = await serviceAccountToken('expiry-first', 3600);
    const created = await request(server)
      .post(`${BASE}/clusters`)
      .send({
        name: 'expiring-token',
        serverUrl: api.serverUrl,
        auth: { type: 'bearerToken', token: first.token },
        tls: { caData: b64(api.caData) },
      });
    // The API server accepted the token (verified).
    expect(created.status).toBe(201);
    expect(created.body.status.state).toBe('running');
    expect(created.body.status.permissionLevel).toBe('read');
    expect(created.body.auth).toEqual({
      type: 'bearerToken',
      tokenSet: true,
      expiresAt: expect.any(String),
    });
    within(created.body.auth.expiresAt, first.window);
    expect(JSON.stringify(created.body)).not.toContain(first.token);

    const second = await serviceAccountToken('expiry-second', 7200);
    const rotated = await request(server)
      .put(`${BASE}/clusters/expiring-token/credentials`)
      .send({ auth: { type: 'bearerToken', token: second.token } });
    expect(rotated.status).toBe(200);
    within(rotated.body.auth.expiresAt, second.window);

    // A static token carries no expiry.
    const rotatedStatic = await request(server)
      .put(`${BASE}/clusters/expiring-token/credentials`)
      .send({ auth: { type: 'bearerToken', token: api.readOnlyToken } });
    expect(rotatedStatic.status).toBe(200);
    expect(rotatedStatic.body.auth).toEqual({
      type: 'bearerToken',
      tokenSet: true,
    });
  });

  it('a client certificate: its notAfter', async () => {
    const api = running.env.kubeApiServers[0];
    const created = await request(server)
      .post(`${BASE}/clusters`)
      .send({
        name: 'expiring-cert',
        serverUrl: api.serverUrl,
        auth: {
          type: 'clientCertificate',
          certData: b64(api.adminCertData),
          keyData: b64(api.adminKeyData),
        },
        tls: { caData: b64(api.caData) },
      });
    expect(created.status).toBe(201);
    expect(created.body.status.state).toBe('running');
    expect(created.body.auth.expiresAt).toBe(
      new Date(new X509Certificate(api.adminCertData).validTo).toISOString(),
    );
  });
});
