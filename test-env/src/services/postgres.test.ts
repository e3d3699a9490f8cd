import { Client } from 'pg';
import { tcpOpen } from '../processes';
import { startTestEnv, RunningTestEnv } from '../index';

jest.setTimeout(120_000);

describe('self-check: PostgreSQL', () => {
  let running: RunningTestEnv;
  beforeAll(async () => {
    running = await startTestEnv({ postgres: true });
  });
  afterAll(() => running?.stop());

  it('answers queries with the password, refuses a wrong one', async () => {
    const pg = running.env.postgres!;
    const client = new Client({ connectionString: pg.connectionString });
    await client.connect();
    const { rows } = await client.query('select current_setting($1) as v', [
      'server_version_num',
    ]);
    expect(Number(rows[0].v)).toBeGreaterThanOrEqual(150000);
    await client.end();

    const wrong = new Client({
      host: pg.host,
      port: pg.port,
      user: pg.user,
      password: 'wrong',
    });
    await expect(wrong.connect()).rejects.toThrow(
      /password authentication failed/,
    );
  });

  it('stops', async () => {
    const port = running.env.postgres!.port;
    await running.stop();
    expect(await tcpOpen(port)).toBe(false);
  });
});
