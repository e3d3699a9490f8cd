import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ensureDebianPackage } from '../debian';
import { cacheDir, isRoot } from '../paths';
import {
  descendants,
  freePort,
  run,
  startProcess,
  stopProcess,
  tcpOpen,
  waitFor,
} from '../processes';
import { SshEnv } from '../types';

const binary = '/usr/sbin/sshd';
const username = 'cr-tunnel';

let userReady: Promise<string> | undefined;

/**
 * The system user and its password. The password is kept per machine (in the
 * cache folder), so that every sshd of every test environment on it, and the
 * test processes reading their descriptions, agree on it.
 */
function ensureUser(): Promise<string> {
  userReady ??= (async () => {
    const file = path.join(cacheDir(), 'sshd-password');
    if (!fs.existsSync(file)) {
      fs.mkdirSync(cacheDir(), { recursive: true });
      fs.writeFileSync(file, crypto.randomBytes(12).toString('hex'), {
        mode: 0o600,
      });
    }
    const password = fs.readFileSync(file, 'utf8').trim();
    try {
      await run('id', [username]);
    } catch {
      await run('useradd', ['--create-home', '--shell', '/bin/sh', username]);
    }
    await run('chpasswd', [], { input: `${username}:${password}\n` });
    return password;
  })();
  return userReady;
}

export interface SshdOptions {
  /** Folder name under the state directory (default `sshd`). */
  name?: string;
  /** Run inside this network namespace (`ip netns exec`), listening on `listen`:22. */
  namespace?: string;
  listen?: string;
}

/**
 * Debian's OpenSSH server on a free loopback port (or, for a bastion, on port
 * 22 of an address inside a network namespace), with a test user that may log
 * in with a password or a key and open TCP forwards (what an SSH-tunnelled
 * cluster connection needs). Password login needs a real system user and
 * sshd's privilege separation, so this requires root. `LogLevel DEBUG1` makes
 * sshd log each forward (`server_request_direct_tcpip: originator …, target
 * HOST port PORT`): tests read `logFile` to prove traffic went through it.
 */
export async function startSshd(stateDir: string, opts: SshdOptions = {}) {
  await ensureDebianPackage(binary, 'openssh-server');
  if (!isRoot()) {
    throw new Error(
      'the SSH test server needs root (it creates the system user cr-tunnel and runs sshd with password auth)',
    );
  }
  const dir = path.join(stateDir, opts.name ?? 'sshd');
  const listen = opts.listen ?? '127.0.0.1';
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync('/run/sshd', { recursive: true });

  const password = await ensureUser();
  const f = (n: string) => path.join(dir, n);
  await run('ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    '',
    '-f',
    f('host_key'),
  ]);
  await run('ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    '',
    '-C',
    'cluster-registry-test',
    '-f',
    f('client_key'),
  ]);
  fs.copyFileSync(f('client_key.pub'), f('authorized_keys'));
  fs.chmodSync(f('authorized_keys'), 0o644);

  const port = opts.namespace ? 22 : await freePort();
  fs.writeFileSync(
    f('sshd_config'),
    [
      `Port ${port}`,
      `ListenAddress ${listen}`,
      `HostKey ${f('host_key')}`,
      `PidFile ${f('sshd.pid')}`,
      `AuthorizedKeysFile ${f('authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication yes',
      'PubkeyAuthentication yes',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin no',
      `AllowUsers ${username}`,
      'AllowTcpForwarding yes',
      'PermitOpen any',
      'X11Forwarding no',
      'LogLevel DEBUG1',
      '',
    ].join('\n'),
  );
  const args = ['-D', '-e', '-f', f('sshd_config')];
  const launch = async () => {
    const started = opts.namespace
      ? startProcess(
          `sshd in ${opts.namespace}`,
          'ip',
          ['netns', 'exec', opts.namespace, binary, ...args],
          { logFile: f('sshd.log') },
        )
      : startProcess('sshd', binary, args, { logFile: f('sshd.log') });
    await waitFor('sshd', () => tcpOpen(port, listen), { process: started });
    return started;
  };
  let proc = await launch();
  /**
   * Stops the listener and the sessions it forked (sshd's per-connection
   * processes outlive their listener), as when the bastion goes down.
   */
  const stop = async () => {
    const sessions = descendants(proc.pid);
    await stopProcess(proc);
    for (const pid of sessions) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };

  const env: SshEnv = {
    host: listen,
    port,
    username,
    password,
    privateKey: fs.readFileSync(f('client_key'), 'utf8'),
    hostKey: fs.readFileSync(f('host_key.pub'), 'utf8').trim(),
    logFile: f('sshd.log'),
    pid: proc.pid,
  };
  return {
    env,
    stop,
    /** Starts it again after `stop`: the same port, host key and users. */
    start: async () => {
      proc = await launch();
    },
  };
}
