/*
 * The EKS stand-in: what a test needs so that the portal's EKS provisioner
 * (AWS SDK v3) creates a cluster in moto and then reaches a REAL kube-apiserver
 * as that cluster's control plane, authenticating with `k8s-aws-v1.` tokens
 * that the REAL aws-iam-authenticator verifies against moto's STS.
 *
 *   portal ──AWS_ENDPOINT_URL_EKS──▶ EKS harness (eksHarness.ts) ──▶ moto
 *   portal ──https + k8s-aws-v1. token──▶ kube-apiserver (127.0.0.1)
 *     kube-apiserver ──TokenReview──▶ 127.0.0.1:W ═unix socket═▶ netns: aws-iam-authenticator :21362
 *       aws-iam-authenticator ──https://sts.us-east-1.amazonaws.com (netns hosts: 127.0.0.1:443)
 *         ═unix socket═▶ STS front (eksHarness.ts: TLS, signature check) ──▶ moto STS
 *       aws-iam-authenticator ──EKSConfigMap watch──▶ netns 127.0.0.1:6443 ═unix socket═▶ kube-apiserver
 *
 * aws-iam-authenticator runs in a network namespace of its own that has only
 * a loopback interface: there the STS host name resolves to the namespace's
 * 127.0.0.1 (/etc/netns/<ns>/hosts), and nothing but the three Unix-socket
 * bridges (eks/ns-bridge.js) leads out of it, so it cannot reach any other
 * address (no EC2 metadata service, no real STS) even by mistake.
 */
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import YAML from 'yaml';
import { cacheDir, isRoot, log } from '../paths';
import { run, startProcess, stopProcess, waitFor } from '../processes';
import { makeServerCertificate } from '../tls';
import { EksEnv, MotoEnv } from '../types';
import { startEksHarness, startPipe, startStsFront } from './eksHarness';
import { startKubeApiServer } from './kubeApiServer';

const moduleDir = resolvePackagePath(
  '@internal/cluster-registry-test-env',
  'aws-iam-authenticator',
);
const bridgeScript = resolvePackagePath(
  '@internal/cluster-registry-test-env',
  'eks/ns-bridge.js',
);

export const DEFAULT_EKS_CLUSTER_NAME = 'portal-eks';
const ACCOUNT_ID = '123456789012';
const CREATOR_USER = 'portal-eks-creator';
/** The ports inside the namespace (its own loopback: nothing else uses them). */
const AUTHENTICATOR_PORT = 21362; // its default; its /healthz is fixed at :21363
const STS_PORT = 443;
const API_PORT = 6443;
const PREFIX = 'cre';

// ── aws-iam-authenticator build ────────────────────────────────────────────

function authenticatorVersion(): string {
  const goMod = fs.readFileSync(path.join(moduleDir, 'go.mod'), 'utf8');
  const version =
    /^\s*require\s+sigs\.k8s\.io\/aws-iam-authenticator (v[\d.]+)$/m.exec(
      goMod,
    );
  if (!version)
    throw new Error(
      'aws-iam-authenticator/go.mod: no `require sigs.k8s.io/aws-iam-authenticator vX.Y.Z`',
    );
  return version[1];
}

/** Cached per machine by version and a hash of go.mod and go.sum. */
export function awsIamAuthenticatorBinaryPath(): string {
  const hash = crypto.createHash('sha256');
  for (const file of ['go.mod', 'go.sum']) {
    hash.update(file).update(fs.readFileSync(path.join(moduleDir, file)));
  }
  return path.join(
    cacheDir(),
    'bin',
    `aws-iam-authenticator-${authenticatorVersion()}-${hash
      .digest('hex')
      .slice(0, 16)}`,
  );
}

/**
 * Builds `sigs.k8s.io/aws-iam-authenticator/cmd/aws-iam-authenticator` at the
 * release aws-iam-authenticator/go.mod requires, with that release's own
 * dependency versions (the module requires nothing else), stamped as its
 * Makefile does. `nice`d: it shares two cores with other builds and tests.
 */
export async function buildAwsIamAuthenticator(): Promise<string> {
  const binary = awsIamAuthenticatorBinaryPath();
  if (fs.existsSync(binary)) return binary;
  log(
    `building aws-iam-authenticator from Go modules into ${binary} (cold: ~1.5 min)`,
  );
  const started = Date.now();
  fs.mkdirSync(path.dirname(binary), { recursive: true });
  const tmp = `${binary}.tmp-${process.pid}`;
  const pkg = 'sigs.k8s.io/aws-iam-authenticator';
  await run(
    'nice',
    [
      '-n',
      '10',
      'go',
      'build',
      '-ldflags',
      `-s -w -X ${pkg}/pkg.Version=${authenticatorVersion()}`,
      '-o',
      tmp,
      `${pkg}/cmd/aws-iam-authenticator`,
    ],
    {
      cwd: moduleDir,
      env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' },
    },
  );
  fs.renameSync(tmp, binary);
  log(
    `built aws-iam-authenticator in ${((Date.now() - started) / 1000).toFixed(
      0,
    )}s`,
  );
  return binary;
}

// ── moto IAM (plain Query API: moto does not check signatures) ─────────────

async function iam(
  endpoint: string,
  params: Record<string, string>,
): Promise<string> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      // moto routes by the credential scope of the Authorization header.
      authorization:
        'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ ...params, Version: '2010-05-08' }),
  });
  const text = await res.text();
  if (res.status !== 200)
    throw new Error(`IAM ${params.Action}: ${res.status} ${text}`);
  return text;
}

const xmlField = (xml: string, name: string) =>
  new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1] ?? '';

// ── network namespace ──────────────────────────────────────────────────────

function alive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function removeStaleNamespaces() {
  const list = await run('ip', ['netns', 'list']).catch(() => '');
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0];
    const m = new RegExp(`^${PREFIX}(\\d+)-\\d+$`).exec(name);
    if (m && !alive(Number(m[1]))) {
      log(`removing the stale network namespace ${name}`);
      await run('ip', ['netns', 'del', name]).catch(() => undefined);
      fs.rmSync(`/etc/netns/${name}`, { recursive: true, force: true });
    }
  }
}

let namespaces = 0;

// ── the stand-in ───────────────────────────────────────────────────────────

export interface EksOptions {
  clusterName?: string;
  creatingDescribes?: number;
}

/**
 * Starts the EKS stand-in on a running moto (which should have been started
 * with `iamManagedPolicies`). Needs root (`ip netns`).
 */
export async function startEks(
  stateDir: string,
  moto: MotoEnv,
  opts: EksOptions = {},
) {
  if (!isRoot())
    throw new Error(
      'the EKS stand-in needs root: it creates a network namespace',
    );
  const clusterName = opts.clusterName ?? DEFAULT_EKS_CLUSTER_NAME;
  const creatingDescribes = opts.creatingDescribes ?? 2;
  const dir = path.join(stateDir, `eks-${clusterName}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const f = (n: string) => path.join(dir, n);
  const binaryBuilt = buildAwsIamAuthenticator();
  binaryBuilt.catch(() => undefined); // awaited below

  await removeStaleNamespaces();
  const ns = `${PREFIX}${process.pid}-${++namespaces}`;
  const stops: Array<() => Promise<void>> = [];
  const teardownNow = () => {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      // already gone
    }
    fs.rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
  };
  process.once('exit', teardownNow);
  const stop = async () => {
    await Promise.all(
      stops
        .splice(0)
        .reverse()
        .map(s => s()),
    );
    process.off('exit', teardownNow);
    teardownNow();
  };

  try {
    const region = moto.region;
    const stsHost = `sts.${region}.amazonaws.com`;
    await run('ip', ['netns', 'add', ns]);
    await run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
    fs.mkdirSync(`/etc/netns/${ns}`, { recursive: true });
    fs.writeFileSync(
      `/etc/netns/${ns}/hosts`,
      `127.0.0.1 localhost\n127.0.0.1 ${stsHost}\n`,
    );

    // The creator: an IAM user with an access key, as the portal's provisioner.
    await iam(moto.endpoint, { Action: 'CreateUser', UserName: CREATOR_USER });
    const key = await iam(moto.endpoint, {
      Action: 'CreateAccessKey',
      UserName: CREATOR_USER,
    });
    const creator = {
      arn: `arn:aws:iam::${ACCOUNT_ID}:user/${CREATOR_USER}`,
      userName: CREATOR_USER,
      username: 'kubernetes-admin',
      groups: ['system:masters'],
      accessKeyId: xmlField(key, 'AccessKeyId'),
      secretAccessKey: xmlField(key, 'SecretAccessKey'),
    };

    // Certificates: STS' name (trusted by the authenticator through
    // SSL_CERT_FILE) and the webhook's serving certificate (trusted by the
    // API server through the webhook kubeconfig).
    const [stsCert, webhookCert] = await Promise.all([
      makeServerCertificate(f('sts-tls'), 'sts-stand-in', [`DNS:${stsHost}`]),
      makeServerCertificate(f('webhook-tls'), 'aws-iam-authenticator', [
        'IP:127.0.0.1',
      ]),
    ]);

    const stsLogFile = f('sts.jsonl');
    const sts = await startStsFront({
      socketPath: f('sts.sock'),
      motoEndpoint: moto.endpoint,
      credentialsEndpoint: moto.credentialsEndpoint,
      region,
      certPem: fs.readFileSync(stsCert.certFile, 'utf8'),
      keyPem: fs.readFileSync(stsCert.keyFile, 'utf8'),
      logFile: stsLogFile,
    });
    stops.push(sts.stop);
    const webhookPipe = await startPipe(0, () => ({ path: f('webhook.sock') }));
    stops.push(webhookPipe.stop);
    let apiPort = 0;
    const apiPipe = await startPipe(f('apiserver.sock'), () => ({
      host: '127.0.0.1',
      port: apiPort,
    }));
    stops.push(apiPipe.stop);

    const webhookConfig = f('webhook.kubeconfig');
    fs.writeFileSync(
      webhookConfig,
      YAML.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'aws-iam-authenticator',
            cluster: {
              'certificate-authority': webhookCert.caFile,
              server: `https://127.0.0.1:${webhookPipe.port}/authenticate`,
            },
          },
        ],
        users: [{ name: 'kube-apiserver', user: {} }],
        contexts: [
          {
            name: 'webhook',
            context: {
              cluster: 'aws-iam-authenticator',
              user: 'kube-apiserver',
            },
          },
        ],
        'current-context': 'webhook',
      }),
    );
    // A cache TTL of 0: an aws-auth change applies to the next request even
    // with the same token (the upstream default, 2m, caches yes and no).
    const api = await startKubeApiServer(stateDir, clusterName, {
      webhook: { configFile: webhookConfig, cacheTtl: '0s' },
    });
    stops.push(api.stop);
    apiPort = Number(new URL(api.env.serverUrl).port);

    // aws-iam-authenticator's own view of the API server (EKSConfigMap backend
    // watches kube-system/aws-auth through it), inside the namespace.
    fs.writeFileSync(
      f('authenticator-apiserver.kubeconfig'),
      YAML.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: clusterName,
            cluster: {
              'certificate-authority-data': Buffer.from(
                api.env.caData,
              ).toString('base64'),
              server: `https://127.0.0.1:${API_PORT}`,
            },
          },
        ],
        users: [{ name: 'admin', user: { token: api.env.adminToken } }],
        contexts: [
          { name: 'default', context: { cluster: clusterName, user: 'admin' } },
        ],
        'current-context': 'default',
      }),
    );
    const authState = f('authenticator-state');
    fs.mkdirSync(authState, { recursive: true });
    // It loads an existing cert.pem/key.pem from its state directory.
    fs.copyFileSync(webhookCert.certFile, path.join(authState, 'cert.pem'));
    fs.copyFileSync(webhookCert.keyFile, path.join(authState, 'key.pem'));
    const config = f('aws-iam-authenticator.yaml');
    fs.writeFileSync(
      config,
      YAML.stringify({
        clusterID: clusterName,
        server: {
          address: '127.0.0.1',
          hostname: '127.0.0.1',
          port: AUTHENTICATOR_PORT,
          stateDir: authState,
          kubeconfigPregenerated: true,
          generateKubeconfig: f('authenticator-generated.kubeconfig'),
          kubeconfig: f('authenticator-apiserver.kubeconfig'),
          // First match wins: the creator (as EKS adds it, invisible in
          // aws-auth), then whatever kube-system/aws-auth maps.
          backendMode: ['MountedFile', 'EKSConfigMap'],
          mapUsers: [
            {
              userarn: creator.arn,
              username: creator.username,
              groups: creator.groups,
            },
          ],
        },
      }),
    );

    const bridge = startProcess(
      `EKS stand-in bridge in ${ns}`,
      'ip',
      [
        'netns',
        'exec',
        ns,
        process.execPath,
        bridgeScript,
        JSON.stringify([
          { listen: STS_PORT, connect: f('sts.sock') },
          { listen: API_PORT, connect: f('apiserver.sock') },
          { listen: f('webhook.sock'), connect: AUTHENTICATOR_PORT },
        ]),
      ],
      { logFile: f('bridge.log'), env: { PATH: process.env.PATH } },
    );
    stops.push(() => stopProcess(bridge));
    await waitFor(
      'EKS stand-in bridge',
      async () => /ready/.test(fs.readFileSync(bridge.logFile, 'utf8')),
      { process: bridge },
    );

    const binary = await binaryBuilt;
    const authenticatorLogFile = f('aws-iam-authenticator.log');
    const authenticator = startProcess(
      `aws-iam-authenticator in ${ns}`,
      'ip',
      ['netns', 'exec', ns, binary, 'server', '--config', config],
      {
        logFile: authenticatorLogFile,
        // Nothing of the host's AWS or proxy settings: it trusts the
        // stand-in's CA only, and never asks the EC2 metadata service.
        env: {
          PATH: process.env.PATH,
          HOME: dir,
          SSL_CERT_FILE: stsCert.caFile,
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      },
    );
    // On SIGTERM it stops its mappers but keeps serving (v0.7.2): no grace.
    stops.push(() => stopProcess(authenticator, 500));
    // Ready when its /healthz answers through the pipe the API server uses.
    const webhookCa = fs.readFileSync(webhookCert.caFile);
    await waitFor(
      'aws-iam-authenticator',
      () =>
        new Promise<boolean>(resolve => {
          https
            .get(
              {
                host: '127.0.0.1',
                port: webhookPipe.port,
                path: '/healthz',
                ca: webhookCa,
              },
              res => {
                res.resume();
                resolve(res.statusCode === 200);
              },
            )
            .on('error', () => resolve(false));
        }),
      { process: authenticator, timeoutMs: 30_000 },
    );

    const controlPlanes = new Map([
      [clusterName, { serverUrl: api.env.serverUrl, caPem: api.env.caData }],
    ]);
    const harnessLogFile = f('harness.jsonl');
    const harness = await startEksHarness({
      motoEndpoint: moto.endpoint,
      controlPlanes,
      creatingDescribes,
      logFile: harnessLogFile,
    });
    stops.push(harness.stop);

    const env: EksEnv = {
      clusterName,
      awsEndpoint: harness.url,
      region,
      accountId: ACCOUNT_ID,
      kubeApiServer: api.env,
      creator,
      creatingDescribes,
      harnessLogFile,
      stsLogFile,
      authenticatorLogFile,
      namespace: ns,
      pids: [api.process.pid, authenticator.pid, bridge.pid],
    };
    return { env, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
