import fs from 'node:fs';
import path from 'node:path';
import { ensureDebianPackage } from '../debian';
import { isRoot } from '../paths';
import {
  freePort,
  startProcess,
  stopProcess,
  tcpOpen,
  waitFor,
} from '../processes';
import { ProxyEnv } from '../types';

const binary = '/usr/bin/tinyproxy';

/**
 * Debian's tinyproxy as an HTTP CONNECT proxy on a free loopback port. The
 * config has no ConnectPort lines, so CONNECT is allowed to any port (API
 * servers listen on arbitrary ones). Every connection is logged: tests read the
 * log to prove a request went through the proxy.
 */
export async function startProxy(stateDir: string) {
  await ensureDebianPackage(binary, 'tinyproxy');
  const dir = path.join(stateDir, 'proxy');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o777 });
  fs.chmodSync(dir, 0o777); // tinyproxy drops root and writes its log as nobody
  const port = await freePort();
  const logFile = path.join(dir, 'tinyproxy.log');
  fs.writeFileSync(
    path.join(dir, 'tinyproxy.conf'),
    [
      ...(isRoot() ? ['User nobody', 'Group nogroup'] : []),
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Timeout 600',
      `LogFile "${logFile}"`,
      'LogLevel Connect',
      'MaxClients 100',
      'Allow 127.0.0.1',
      'DisableViaHeader Yes',
      '',
    ].join('\n'),
  );
  const proc = startProcess(
    'tinyproxy',
    binary,
    ['-d', '-c', path.join(dir, 'tinyproxy.conf')],
    {
      logFile: path.join(dir, 'stdout.log'),
    },
  );
  await waitFor('tinyproxy', () => tcpOpen(port), { process: proc });
  const env: ProxyEnv = {
    url: `http://127.0.0.1:${port}`,
    logFile,
    pid: proc.pid,
  };
  return { env, process: proc, stop: () => stopProcess(proc) };
}
