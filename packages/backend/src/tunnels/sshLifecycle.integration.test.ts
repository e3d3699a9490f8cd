import { mockServices } from '@backstage/backend-test-utils';
import {
  AddressPolicy,
  DefaultClusterConnectionsService,
} from '@cluster-registry/plugin-cluster-registry-node';
import {
  acquireTestEnv,
  RunningTestEnv,
  startSshd,
  KubeApiServerEnv,
} from '@internal/cluster-registry-test-env';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';

jest.setTimeout(120_000);

/**
 * The life of one pooled SSH connection, against an OpenSSH of its own (the
 * shared environment's bastion serves other suites at the same time, so
 * this one is stopped and started here): shared by the requests through it,
 * closed when idle, reopened on the next use, and reopened after the bastion
 * went down and came back. sshd's log counts the logins.
 */
describe('the SSH connection to a bastion', () => {
  let running: RunningTestEnv;
  let api: KubeApiServerEnv;
  let sshd: Awaited<ReturnType<typeof startSshd>>;
  let stateDir: string;
  let connections: DefaultClusterConnectionsService;
  const IDLE_MS = 1500;

  const logins = () =>
    fs
      .readFileSync(sshd.env.logFile, 'utf8')
      .split('\n')
      .filter(l => l.includes(`Accepted password for ${sshd.env.username}`))
      .length;
  const route = () => ({
    method: 'sshTunnel' as const,
    sshTunnel: {
      host: sshd.env.host,
      port: sshd.env.port,
      username: sshd.env.username,
      password: sshd.env.password,
      hostKeys: [sshd.env.hostKey],
    },
  });

  /** GET /version of the API server through the tunnel: the status, or the error. */
  async function version(): Promise<number | string> {
    const handle = connections.agentFor(route(), { timeoutMs: 3000 });
    try {
      return await new Promise((resolve, reject) => {
        https
          .get(
            new URL('/version', api.serverUrl),
            {
              agent: handle.agent,
              ca: api.caData,
              headers: { authorization: `Bearer ${api.readOnlyToken}` },
            },
            res => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            },
          )
          .on('error', reject);
      });
    } catch (e) {
      return String((e as Error).message);
    } finally {
      handle.close();
    }
  }

  async function until(what: string, check: () => boolean | Promise<boolean>) {
    const deadline = Date.now() + 20_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
      await new Promise(r => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    running = await acquireTestEnv({ kubeApiServers: 1 });
    api = running.env.kubeApiServers[0];
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssh-lifecycle-'));
    sshd = await startSshd(stateDir, { name: 'lifecycle-sshd' });
    connections = new DefaultClusterConnectionsService({
      policy: new AddressPolicy(),
      logger: mockServices.logger.mock(),
      settings: {
        connectTimeoutMs: 3000,
        sshIdleTimeoutMs: IDLE_MS,
        sshKeepaliveIntervalMs: 500,
        bridgeIdleTimeoutMs: 60_000,
      },
    });
  });

  afterAll(async () => {
    await connections?.close();
    await sshd?.stop();
    await running?.stop();
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('is shared by the requests through it, closes when idle, and opens again on the next use', async () => {
    const before = logins();
    expect(await Promise.all([version(), version(), version()])).toEqual([
      200, 200, 200,
    ]);
    expect(await version()).toBe(200);
    await until('the login is logged', () => logins() === before + 1);
    expect(logins()).toBe(before + 1);

    // No channel open for longer than the idle timeout: the client leaves.
    await until('sshd logs the idle disconnect', () =>
      fs
        .readFileSync(sshd.env.logFile, 'utf8')
        .includes(`Disconnected from user ${sshd.env.username}`),
    );
    expect(await version()).toBe(200);
    await until('a second login', () => logins() === before + 2);
  });

  it('fails with the reason while the bastion is down, never directly, and reconnects once it is back', async () => {
    expect(await version()).toBe(200);
    const before = logins();

    await sshd.stop();
    const down = await version();
    expect(down).not.toBe(200);
    expect(String(down)).toMatch(/cannot reach the SSH bastion .*ECONNREFUSED/);
    // Asked again at once: the backoff answers with the same reason.
    expect(String(await version())).toMatch(/SSH bastion/);

    await sshd.start();
    await until(
      'the tunnel works again',
      async () => (await version()) === 200,
    );
    expect(logins()).toBe(before + 1);
  });
});
