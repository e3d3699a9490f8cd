/**
 * The cluster registry's test environment: real services on loopback.
 *
 * @packageDocumentation
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBastion } from './services/bastion';
import { startEks } from './services/eks';
import { startKubeApiServer } from './services/kubeApiServer';
import { startMonitoring } from './services/monitoring';
import { startMoto } from './services/moto';
import { startPostgres } from './services/postgres';
import { startPrometheus } from './services/prometheus';
import { startIdentityProxy, startProxy } from './services/proxy';
import { startSshd } from './services/sshd';
import { TestEnv, TestEnvRequest } from './types';

export * from './types';
export * from './kubernetes';
export { buildKubeApiServer } from './services/kubeApiServer';
export { buildKubeStateMetrics } from './services/monitoring';
export { ensureMotoVenv } from './services/moto';
export {
  buildAwsIamAuthenticator,
  DEFAULT_EKS_CLUSTER_NAME,
} from './services/eks';
export { presignedSignatureValid, uniqueIssuer } from './services/eksHarness';
export { startSshd } from './services/sshd';
export { startPostgres } from './services/postgres';
export { ensureDebianPackage, ensureWrk } from './debian';
export { CLIENTS, SECONDS, measure, profiled } from './bench/wrk';
export type { Latencies } from './bench/wrk';

/** The variable through which the test command hands a running environment to test suites. */
export const TEST_ENV_FILE_VARIABLE = 'CLUSTER_REGISTRY_TEST_ENV';

export interface RunningTestEnv {
  env: TestEnv;
  /** Stops everything this call started (not a shared environment). */
  stop(): Promise<void>;
}

/**
 * Starts the requested services in parallel. If one fails, the ones that did
 * start are stopped again and the error names the piece that broke.
 */
export async function startTestEnv(
  request: TestEnvRequest,
  opts: { stateDir?: string } = {},
): Promise<RunningTestEnv> {
  const stateDir =
    opts.stateDir ??
    fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-registry-test-env-'));
  fs.mkdirSync(stateDir, { recursive: true });
  fs.chmodSync(stateDir, 0o755); // services that drop root (postgres, tinyproxy) must reach their folders
  const stops: Array<() => Promise<void>> = [];
  const env: TestEnv = { stateDir, kubeApiServers: [] };

  const tasks: Array<Promise<void>> = [];
  const add = <T extends { stop(): Promise<void> }>(
    p: Promise<T>,
    use: (r: T) => void,
  ) =>
    tasks.push(
      p.then(r => {
        stops.push(r.stop);
        use(r);
      }),
    );
  // Monitoring watches the API servers: it needs at least one.
  const kubeApiServers = Math.max(
    request.kubeApiServers ?? 0,
    request.monitoring ? 1 : 0,
  );
  for (let i = 0; i < kubeApiServers; i++) {
    add(
      startKubeApiServer(stateDir, `test-cluster-${i + 1}`),
      r => (env.kubeApiServers[i] = r.env),
    );
  }
  if (request.monitoring) {
    // Starts once every API server is up; if one failed, that is the error.
    const kubeStarted = Promise.all([...tasks]);
    add(
      kubeStarted.then(
        () => startMonitoring(stateDir, env.kubeApiServers),
        () =>
          Promise.reject(
            new Error('monitoring: not started (API server failed)'),
          ),
      ),
      r => (env.monitoring = r.env),
    );
  }
  if (request.postgres)
    add(startPostgres(stateDir), r => (env.postgres = r.env));
  if (request.prometheus)
    add(startPrometheus(stateDir), r => (env.prometheus = r.env));
  const eks = request.eks === true ? {} : request.eks || undefined;
  if (request.moto || eks) {
    // The EKS stand-in needs IAM's AWS-managed policies (AmazonEKSClusterPolicy...).
    const moto = startMoto(stateDir, { iamManagedPolicies: !!eks });
    add(moto, r => (env.moto = r.env));
    if (eks) {
      add(
        moto.then(
          r => startEks(stateDir, r.env, eks),
          () => Promise.reject(new Error('eks: not started (moto failed)')),
        ),
        r => (env.eks = r.env),
      );
    }
  }
  if (request.ssh) add(startSshd(stateDir), r => (env.ssh = r.env));
  if (request.proxy) add(startProxy(stateDir), r => (env.proxy = r.env));
  if (request.identityProxy)
    add(startIdentityProxy(stateDir), r => (env.identityProxy = r.env));
  if (request.bastion) add(startBastion(stateDir), r => (env.bastion = r.env));

  const stop = async () => {
    await Promise.all(stops.map(s => s()));
  };
  const results = await Promise.allSettled(tasks);
  const failures = results.filter(
    (r): r is PromiseRejectedResult => r.status === 'rejected',
  );
  if (failures.length) {
    await stop();
    throw new Error(
      `test environment failed to start:\n${failures
        .map(f => String(f.reason?.message ?? f.reason))
        .join('\n\n')}`,
    );
  }
  return { env, stop };
}

/** The environment the test command started, if any (see TEST_ENV_FILE_VARIABLE). */
export function sharedTestEnv(): TestEnv | undefined {
  const file = process.env[TEST_ENV_FILE_VARIABLE];
  if (!file) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as TestEnv;
}

function satisfies(env: TestEnv, request: TestEnvRequest): boolean {
  return (
    env.kubeApiServers.length >= (request.kubeApiServers ?? 0) &&
    (!request.postgres || !!env.postgres) &&
    (!request.prometheus || !!env.prometheus) &&
    (!request.moto || !!env.moto) &&
    (!request.eks ||
      (!!env.eks &&
        (request.eks === true ||
          ((request.eks.clusterName ?? env.eks.clusterName) ===
            env.eks.clusterName &&
            (request.eks.creatingDescribes ?? env.eks.creatingDescribes) ===
              env.eks.creatingDescribes)))) &&
    (!request.ssh || !!env.ssh) &&
    (!request.proxy || !!env.proxy) &&
    (!request.identityProxy || !!env.identityProxy) &&
    (!request.bastion || !!env.bastion) &&
    (!request.monitoring || !!env.monitoring)
  );
}

/**
 * What integration suites call in `beforeAll`: the shared environment when the
 * test command started one that has everything requested, otherwise a new one
 * that the returned `stop` tears down.
 */
export async function acquireTestEnv(
  request: TestEnvRequest,
): Promise<RunningTestEnv> {
  const shared = sharedTestEnv();
  if (shared && satisfies(shared, request)) {
    return { env: shared, stop: async () => {} };
  }
  return startTestEnv(request);
}

/** Base64 of a PEM text: the kubeconfig `*-data` form the registry accepts. */
export const b64 = (pem: string) => Buffer.from(pem).toString('base64');
