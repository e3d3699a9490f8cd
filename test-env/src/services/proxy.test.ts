import fs from 'node:fs';
import { tcpOpen } from '../processes';
import { connectThroughProxy, httpsGet } from '../testing/https';
import { startTestEnv, RunningTestEnv } from '../index';

jest.setTimeout(240_000);

describe('self-check: HTTP CONNECT proxy', () => {
  let running: RunningTestEnv;
  beforeAll(async () => {
    running = await startTestEnv({ proxy: true, kubeApiServers: 1 });
  });
  afterAll(() => running?.stop());

  it('carries a TLS connection to the API server and logs it', async () => {
    const proxy = running.env.proxy!;
    const api = running.env.kubeApiServers[0];
    const url = new URL(api.serverUrl);
    const socket = await connectThroughProxy(
      proxy.url,
      url.hostname,
      Number(url.port),
    );
    const res = await httpsGet(`${api.serverUrl}/version`, {
      ca: api.caData,
      token: api.adminToken,
      socket,
    });
    expect(res.status).toBe(200);
    expect(fs.readFileSync(proxy.logFile, 'utf8')).toContain(
      `CONNECT ${url.hostname}:${url.port}`,
    );
  });

  it('stops', async () => {
    const port = Number(new URL(running.env.proxy!.url).port);
    await running.stop();
    expect(await tcpOpen(port)).toBe(false);
  });
});
