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
export async function startProxy(
  stateDir: string,
  opts: {
    /** Folder name under the state directory (default `proxy`). */
    name?: string;
    /** Run inside this network namespace, listening on `listen`:`port` (3128) and accepting `allow`. */
    namespace?: string;
    port?: number;
    listen?: string;
    allow?: string;
    /** Require these Basic credentials (tinyproxy `BasicAuth`). */
    basicAuth?: { username: string; password: string };
    /** Headers added to every request it forwards (tinyproxy `AddHeader`). */
    addHeaders?: Record<string, string>;
  } = {},
) {
  await ensureDebianPackage(binary, 'tinyproxy');
  const dir = path.join(stateDir, opts.name ?? 'proxy');
  const listen = opts.listen ?? '127.0.0.1';
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o777 });
  fs.chmodSync(dir, 0o777); // tinyproxy drops root and writes its log as nobody
  const port = opts.namespace ? opts.port ?? 3128 : await freePort();
  const logFile = path.join(dir, 'tinyproxy.log');
  fs.writeFileSync(
    path.join(dir, 'tinyproxy.conf'),
    [
      ...(isRoot() ? ['User nobody', 'Group nogroup'] : []),
      `Port ${port}`,
      `Listen ${listen}`,
      'Timeout 600',
      `LogFile "${logFile}"`,
      'LogLevel Connect',
      'MaxClients 100',
      `Allow ${opts.allow ?? '127.0.0.1'}`,
      ...(opts.basicAuth
        ? [`BasicAuth ${opts.basicAuth.username} ${opts.basicAuth.password}`]
        : []),
      ...Object.entries(opts.addHeaders ?? {}).map(
        ([name, value]) => `AddHeader "${name}" "${value}"`,
      ),
      'DisableViaHeader Yes',
      '',
    ].join('\n'),
  );
  const args = ['-d', '-c', path.join(dir, 'tinyproxy.conf')];
  const logs = { logFile: path.join(dir, 'stdout.log') };
  const proc = opts.namespace
    ? startProcess(
        `tinyproxy in ${opts.namespace}`,
        'ip',
        ['netns', 'exec', opts.namespace, binary, ...args],
        logs,
      )
    : startProcess('tinyproxy', binary, args, logs);
  await waitFor('tinyproxy', () => tcpOpen(port, listen), { process: proc });
  const env: ProxyEnv = {
    url: `http://${listen}:${port}`,
    logFile,
    pid: proc.pid,
  };
  return { env, process: proc, stop: () => stopProcess(proc) };
}

/** The user the identity proxy signs in (examples/org.yaml: a member of group qa). */
export const IDENTITY_PROXY_USER = 'ann';

/**
 * A signing-in reverse proxy as companies put in front of Backstage
 * (oauth2-proxy and the like), for the portal's second user: tinyproxy adding
 * `X-Forwarded-User`, which Backstage's own oauth2Proxy auth provider reads
 * (configured only in the e2e overlay, e2e/app-config.e2e.yaml). What it
 * leaves out is the identity provider behind such a proxy: every request
 * through it is the one user. A browser context whose proxy is this one is
 * signed in as that user; others use the guest sign-in.
 */
export async function startIdentityProxy(stateDir: string) {
  const proxy = await startProxy(stateDir, {
    name: 'identity-proxy',
    addHeaders: {
      'X-Forwarded-User': IDENTITY_PROXY_USER,
      'X-Forwarded-Email': `${IDENTITY_PROXY_USER}@example.com`,
    },
  });
  return {
    ...proxy,
    env: { ...proxy.env, user: `user:default/${IDENTITY_PROXY_USER}` },
  };
}
