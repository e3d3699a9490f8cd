import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ensureDebianPackage } from '../debian';
import { isRoot } from '../paths';
import {
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

async function ensureUser(password: string) {
  try {
    await run('id', [username]);
  } catch {
    await run('useradd', ['--create-home', '--shell', '/bin/sh', username]);
  }
  await run('chpasswd', [], { input: `${username}:${password}\n` });
}

/**
 * Debian's OpenSSH server on a free loopback port, with a test user that may
 * log in with a password or a key and open TCP forwards (what an SSH-tunnelled
 * cluster connection needs). Password login needs a real system user and
 * sshd's privilege separation, so this requires root.
 */
export async function startSshd(stateDir: string) {
  await ensureDebianPackage(binary, 'openssh-server');
  if (!isRoot()) {
    throw new Error(
      'the SSH test server needs root (it creates the system user cr-tunnel and runs sshd with password auth)',
    );
  }
  const dir = path.join(stateDir, 'sshd');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync('/run/sshd', { recursive: true });

  const password = crypto.randomBytes(12).toString('hex');
  await ensureUser(password);
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

  const port = await freePort();
  fs.writeFileSync(
    f('sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
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
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  const proc = startProcess(
    'sshd',
    binary,
    ['-D', '-e', '-f', f('sshd_config')],
    { logFile: f('sshd.log') },
  );
  await waitFor('sshd', () => tcpOpen(port), { process: proc });

  const env: SshEnv = {
    host: '127.0.0.1',
    port,
    username,
    password,
    privateKey: fs.readFileSync(f('client_key'), 'utf8'),
    hostKey: fs.readFileSync(f('host_key.pub'), 'utf8').trim(),
    pid: proc.pid,
  };
  return { env, process: proc, stop: () => stopProcess(proc) };
}
