import { resolvePackagePath } from '@backstage/backend-plugin-api';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cacheDir, log } from '../paths';
import {
  run,
  startProcess,
  stopProcess,
  ManagedProcess,
  tailLog,
} from '../processes';
import { KubeApiServerEnv } from '../types';

const sourceDir = resolvePackagePath(
  '@internal/cluster-registry-test-env',
  'kube-apiserver',
);

/**
 * The wrapper binary is cached per machine, keyed by a hash of its sources
 * (go.mod, go.sum, *.go): a cold build compiles Kubernetes and takes minutes,
 * later runs reuse it.
 */
export function kubeApiServerBinaryPath(): string {
  const hash = crypto.createHash('sha256').update(ldflags().join(' '));
  for (const file of fs.readdirSync(sourceDir).sort()) {
    if (/^(go\.mod|go\.sum|.*\.go)$/.test(file)) {
      hash.update(file).update(fs.readFileSync(path.join(sourceDir, file)));
    }
  }
  return path.join(
    cacheDir(),
    'bin',
    `test-kube-apiserver-${hash.digest('hex').slice(0, 16)}`,
  );
}

/**
 * Kubernetes stamps its version into release binaries with -ldflags; a plain
 * `go build` would report v0.0.0-master. Stamp the version go.mod requires.
 */
function ldflags(): string[] {
  const goMod = fs.readFileSync(path.join(sourceDir, 'go.mod'), 'utf8');
  const version = /^\s*k8s\.io\/kubernetes (v(\d+)\.(\d+)\.\d+)$/m.exec(goMod);
  if (!version)
    throw new Error(
      'kube-apiserver/go.mod: no `k8s.io/kubernetes vX.Y.Z` requirement',
    );
  const pkg = 'k8s.io/component-base/version';
  return [
    `-X ${pkg}.gitVersion=${version[1]}`,
    `-X ${pkg}.gitMajor=${version[2]}`,
    `-X ${pkg}.gitMinor=${version[3]}`,
    `-X ${pkg}.gitTreeState=clean`,
  ];
}

export async function buildKubeApiServer(): Promise<string> {
  const binary = kubeApiServerBinaryPath();
  if (fs.existsSync(binary)) return binary;
  log(
    `building kube-apiserver from Go modules into ${binary} (cold: several minutes)`,
  );
  fs.mkdirSync(path.dirname(binary), { recursive: true });
  const tmp = `${binary}.tmp-${process.pid}`;
  await run('go', ['build', '-ldflags', ldflags().join(' '), '-o', tmp, '.'], {
    cwd: sourceDir,
    env: { ...process.env, CGO_ENABLED: '0' },
  });
  fs.renameSync(tmp, binary);
  return binary;
}

export interface RunningKubeApiServer {
  env: KubeApiServerEnv;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * Starts one independent API server (its own etcd, PKI and tokens). With
 * `private`, it runs inside a network namespace on that namespace's loopback,
 * and its certificate and URL name only `private.host`, which only the
 * namespace's hosts file resolves.
 */
export async function startKubeApiServer(
  stateDir: string,
  name: string,
  opts: {
    private?: { namespace: string; host: string; port: number };
    /**
     * Token authentication by a webhook (`--authentication-token-webhook-config-file`):
     * a kubeconfig naming the webhook, and how long the API server caches each
     * token's answer (`--authentication-token-webhook-cache-ttl`, Go duration).
     */
    webhook?: { configFile: string; cacheTtl?: string };
  } = {},
  attempt = 1,
): Promise<RunningKubeApiServer> {
  const binary = await buildKubeApiServer();
  const dir = path.join(stateDir, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const envFile = path.join(dir, 'env.json');
  const args = ['-dir', dir, '-name', name];
  if (opts.webhook) {
    args.push('-authn-webhook-config', opts.webhook.configFile);
    if (opts.webhook.cacheTtl)
      args.push('-authn-webhook-cache-ttl', opts.webhook.cacheTtl);
  }
  const logs = { logFile: path.join(dir, 'apiserver.log') };
  const priv = opts.private;
  const proc = priv
    ? startProcess(
        `kube-apiserver ${name} in ${priv.namespace}`,
        'ip',
        [
          'netns',
          'exec',
          priv.namespace,
          binary,
          ...args,
          '-host',
          priv.host,
          '-port',
          String(priv.port),
        ],
        logs,
      )
    : startProcess(`kube-apiserver ${name}`, binary, args, logs);
  const deadline = Date.now() + 180_000;
  while (!fs.existsSync(envFile)) {
    if (proc.child.exitCode !== null) {
      const tail = tailLog(proc.logFile);
      // The wrapper picks free ports, then binds them: another process may
      // take one in between. A fresh start picks others.
      if (!priv && attempt < 3 && /address already in use/.test(tail))
        return startKubeApiServer(stateDir, name, opts, attempt + 1);
      throw new Error(`kube-apiserver ${name} exited:\n${tail}`);
    }
    if (Date.now() > deadline) {
      await stopProcess(proc);
      throw new Error(
        `kube-apiserver ${name} not ready in 180s:\n${tailLog(proc.logFile)}`,
      );
    }
    await new Promise(r => setTimeout(r, 200));
  }
  const env = JSON.parse(fs.readFileSync(envFile, 'utf8')) as KubeApiServerEnv;
  return { env, process: proc, stop: () => stopProcess(proc) };
}
