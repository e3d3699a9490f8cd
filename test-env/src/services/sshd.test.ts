import { Client } from 'ssh2';
import { tcpOpen } from '../processes';
import { httpsGet } from '../testing/https';
import { startTestEnv, RunningTestEnv } from '../index';
import { SshEnv } from '../types';

jest.setTimeout(240_000);

function connect(
  ssh: SshEnv,
  auth: { password?: string; privateKey?: string },
): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.once('ready', () => resolve(client)).once('error', reject);
    client.connect({
      host: ssh.host,
      port: ssh.port,
      username: ssh.username,
      ...auth,
      readyTimeout: 10_000,
    });
  });
}

function forward(client: Client, host: string, port: number) {
  return new Promise<NodeJS.ReadWriteStream>((resolve, reject) =>
    client.forwardOut('127.0.0.1', 0, host, port, (err, stream) =>
      err ? reject(err) : resolve(stream),
    ),
  );
}

describe('self-check: SSH server', () => {
  let running: RunningTestEnv;
  beforeAll(async () => {
    running = await startTestEnv({ ssh: true, kubeApiServers: 1 });
  });
  afterAll(() => running?.stop());

  it('accepts the password and the key, refuses a wrong password', async () => {
    const ssh = running.env.ssh!;
    (await connect(ssh, { password: ssh.password })).end();
    (await connect(ssh, { privateKey: ssh.privateKey })).end();
    await expect(connect(ssh, { password: 'wrong' })).rejects.toThrow(
      /authentication/i,
    );
  });

  it('tunnels a TLS connection to the API server', async () => {
    const ssh = running.env.ssh!;
    const api = running.env.kubeApiServers[0];
    const client = await connect(ssh, { privateKey: ssh.privateKey });
    try {
      const url = new URL(api.serverUrl);
      const stream = await forward(client, url.hostname, Number(url.port));
      const res = await httpsGet(`${api.serverUrl}/version`, {
        ca: api.caData,
        token: api.adminToken,
        socket: stream,
      });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body).gitVersion).toBe(api.kubernetesVersion);
    } finally {
      client.end();
    }
  });

  it('stops', async () => {
    const port = running.env.ssh!.port;
    await running.stop();
    expect(await tcpOpen(port)).toBe(false);
  });
});
