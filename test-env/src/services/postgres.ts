import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ensureDebianPackage } from '../debian';
import { isRoot } from '../paths';
import {
  descendants,
  freePort,
  run,
  startProcess,
  stopProcess,
  waitFor,
} from '../processes';
import { PostgresEnv } from '../types';

const bin = '/usr/lib/postgresql/15/bin';

/**
 * A throw-away PostgreSQL 15 cluster (Debian's `postgresql`) on a free loopback
 * port, password-authenticated (scram-sha-256) like a real deployment.
 * initdb refuses to run as root, so as root the cluster belongs to `postgres`.
 */
export async function startPostgres(
  stateDir: string,
  opts: {
    /** Folder name under the state directory (default `postgres`). */
    name?: string;
    /**
     * fsync and synchronous commit on, as in production: a commit it
     * acknowledged survives a crash (the fault tests kill it). Off by
     * default, for speed.
     */
    durable?: boolean;
  } = {},
) {
  await ensureDebianPackage(`${bin}/postgres`, 'postgresql');
  const dir = path.join(stateDir, opts.name ?? 'postgres');
  const data = path.join(dir, 'data');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const password = crypto.randomBytes(12).toString('hex');
  const pwFile = path.join(dir, 'pwfile');
  fs.writeFileSync(pwFile, password);
  // setpriv execs the program (no intermediate process), so signals reach postgres itself.
  const asUser = (cmd: string, args: string[]) =>
    isRoot()
      ? ([
          'setpriv',
          [
            '--reuid=postgres',
            '--regid=postgres',
            '--init-groups',
            '--',
            cmd,
            ...args,
          ],
        ] as const)
      : ([cmd, args] as const);
  if (isRoot()) {
    await run('chown', ['-R', 'postgres:postgres', dir]);
  }
  const [initCmd, initArgs] = asUser(`${bin}/initdb`, [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=scram-sha-256',
    `--pwfile=${pwFile}`,
    '--no-sync',
    '-E',
    'UTF8',
  ]);
  await run(initCmd, [...initArgs]);
  fs.rmSync(pwFile);

  const port = await freePort();
  const [cmd, args] = asUser(`${bin}/postgres`, [
    '-D',
    data,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${dir}`,
    ...(opts.durable
      ? []
      : [
          '-c',
          'fsync=off',
          '-c',
          'synchronous_commit=off',
          '-c',
          'full_page_writes=off',
        ]),
    '-c',
    'max_connections=200',
  ]);
  const launch = async () => {
    const started = startProcess('postgres', cmd, [...args], {
      logFile: path.join(dir, 'postgres.log'),
    });
    if (isRoot()) fs.chmodSync(path.join(dir, 'postgres.log'), 0o666);
    await waitFor(
      'postgres',
      async () => {
        await run(`${bin}/pg_isready`, ['-h', '127.0.0.1', '-p', String(port)]);
        return true;
      },
      { process: started, timeoutMs: 60_000 },
    );
    return started;
  };
  let proc = await launch();

  const env: PostgresEnv = {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password,
    connectionString: `postgresql://postgres:${password}@127.0.0.1:${port}`,
    pid: proc.pid,
  };
  return {
    env,
    stop: () => stopProcess(proc),
    /**
     * Kills the server and every backend process it forked (SIGKILL: a
     * crash, no shutdown checkpoint), then starts it again on the same data
     * and port; it recovers from its write-ahead log.
     */
    crashAndRestart: async (downMs = 0) => {
      const children = descendants(proc.pid);
      proc.child.kill('SIGKILL');
      await proc.exited;
      for (const pid of children) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await new Promise(r => setTimeout(r, downMs));
      // A crashed postmaster leaves its pid file; the new one checks it.
      proc = await launch();
    },
  };
}
