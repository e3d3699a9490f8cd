/*
 * cluster-registry-test-env: start the test environment by hand, or prepare it.
 *
 *   yarn test-env up [--all] [--kube N] [--postgres] [--prometheus] [--moto] [--ssh] [--proxy] [--identity-proxy] [--bastion] [--monitoring] [--eks [NAME]] [--out FILE]
 *   yarn test-env prepare      install Debian services and Chromium, then build kube-apiserver,
 *                              kube-state-metrics and aws-iam-authenticator and create the moto
 *                              virtualenv (in parallel)
 *
 * `up` prints the environment as JSON (and writes it to --out), then keeps
 * everything running until Ctrl-C / SIGTERM, when it stops all it started.
 */
import fs from 'node:fs';
import { ensureDebianPackage } from './debian';
import {
  buildAwsIamAuthenticator,
  buildKubeApiServer,
  buildKubeStateMetrics,
  ensureMotoVenv,
  startTestEnv,
} from './index';
import { log } from './paths';
import { TestEnvRequest } from './types';

const debianServices: Array<[string, string]> = [
  ['/usr/lib/postgresql/15/bin/postgres', 'postgresql'],
  ['/usr/bin/prometheus', 'prometheus'],
  ['/usr/bin/prometheus-node-exporter', 'prometheus-node-exporter'],
  ['/usr/sbin/sshd', 'openssh-server'],
  ['/usr/bin/tinyproxy', 'tinyproxy'],
  // the browser of the end-to-end tests
  ['/usr/bin/chromium', 'chromium'],
];

function parseUp(args: string[]): { request: TestEnvRequest; out?: string } {
  const request: TestEnvRequest = {};
  let out: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    switch (a) {
      case '--all':
        Object.assign(request, {
          kubeApiServers: 2,
          postgres: true,
          prometheus: true,
          moto: true,
          ssh: true,
          proxy: true,
          bastion: true,
          monitoring: true,
          eks: true,
        });
        break;
      case '--kube':
        request.kubeApiServers = Number(args[++i]);
        break;
      case '--postgres':
      case '--prometheus':
      case '--moto':
      case '--ssh':
      case '--proxy':
      case '--bastion':
      case '--monitoring':
        (request as any)[a.slice(2)] = true;
        break;
      case '--eks':
        // An optional cluster name (default portal-eks).
        request.eks =
          args[i + 1] && !args[i + 1].startsWith('--')
            ? { clusterName: args[++i] }
            : true;
        break;
      case '--identity-proxy':
        request.identityProxy = true;
        break;
      case '--out':
        out = args[++i];
        break;
      default:
        throw new Error(`unknown option ${a}`);
    }
  }
  return { request, out };
}

async function main(argv: string[]) {
  const [command, ...args] = argv;
  if (command === 'prepare') {
    const started = Date.now();
    for (const [binary, pkg] of debianServices)
      await ensureDebianPackage(binary, pkg);
    await Promise.all([
      buildKubeApiServer(),
      buildKubeStateMetrics(),
      buildAwsIamAuthenticator(),
      ensureMotoVenv(),
    ]);
    log(`prepared in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return;
  }
  if (command === 'up') {
    const { request, out } = parseUp(args);
    const started = Date.now();
    const { env, stop } = await startTestEnv(request);
    const json = JSON.stringify(env, null, 2);
    if (out) fs.writeFileSync(out, json, { mode: 0o600 });
    process.stdout.write(`${json}\n`);
    log(
      `up in ${((Date.now() - started) / 1000).toFixed(
        1,
      )}s; Ctrl-C stops everything`,
    );
    const shutdown = () => {
      log('stopping');
      stop().finally(() => {
        if (out) fs.rmSync(out, { force: true });
        process.exit(0);
      });
    };
    process.removeAllListeners('SIGINT');
    process.removeAllListeners('SIGTERM');
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
    setInterval(() => {}, 1 << 30); // keep serving
    return;
  }
  process.stderr.write(
    'usage: test-env up [--all] [--kube N] [--postgres] [--prometheus] [--moto] [--ssh] [--proxy] [--identity-proxy] [--bastion] [--monitoring] [--eks [NAME]] [--out FILE]\n' +
      '       test-env prepare\n',
  );
  process.exit(2);
}

main(process.argv.slice(2)).catch(e => {
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exit(1);
});
