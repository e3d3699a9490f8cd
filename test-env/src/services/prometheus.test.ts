import https from 'node:https';
import { tcpOpen, waitFor } from '../processes';
import { startTestEnv, RunningTestEnv } from '../index';

jest.setTimeout(120_000);

function secureQuery(
  url: string,
  ca: string | undefined,
  auth?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = auth
      ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` }
      : {};
    https
      .get(url, { ca, headers }, res => {
        let body = '';
        res.on('data', d => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('self-check: Prometheus', () => {
  let running: RunningTestEnv;
  beforeAll(async () => {
    running = await startTestEnv({ prometheus: true });
  });
  afterAll(() => running?.stop());

  it('anonymous instance answers a real query with scraped data', async () => {
    const { anonymousUrl } = running.env.prometheus!;
    const result = await waitFor(
      'scraped data',
      async () => {
        const res = await fetch(`${anonymousUrl}/api/v1/query?query=up`);
        const json = await res.json();
        return json.data.result.length > 0 ? json.data.result : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(result[0].value[1]).toBe('1');
  });

  it('secure instance requires Basic auth over TLS', async () => {
    const p = running.env.prometheus!;
    const url = `${p.secureUrl}/api/v1/query?query=up`;
    expect((await secureQuery(url, p.caData)).status).toBe(401);
    expect(
      (await secureQuery(url, p.caData, `${p.username}:wrong`)).status,
    ).toBe(401);
    const ok = await secureQuery(url, p.caData, `${p.username}:${p.password}`);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).status).toBe('success');
    // Without the CA, the client cannot verify the server: TLS is real.
    await expect(
      secureQuery(url, undefined, `${p.username}:${p.password}`),
    ).rejects.toThrow(/certificate/);
  });

  it('stops', async () => {
    const port = Number(new URL(running.env.prometheus!.anonymousUrl).port);
    await running.stop();
    expect(await tcpOpen(port)).toBe(false);
  });
});
