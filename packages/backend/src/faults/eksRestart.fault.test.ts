import {
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import {
  acquireTestEnv,
  EksEnv,
  RunningTestEnv,
} from '@internal/cluster-registry-test-env';
import { ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

jest.setTimeout(300_000);

const TAG = 'cluster-registry.backstage.io/request';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

const alive = (child: ChildProcess) =>
  child.exitCode === null && child.signalCode === null;

/**
 * A backend process killed (SIGKILL) while it provisions an EKS cluster,
 * twice: right after accepting the request (network and IAM steps in
 * flight), and while EKS reports CREATING. Each time another backend process
 * on the same database takes the request over once the dead one's lease has
 * run out, and finishes it: one VPC, one set of subnets, one role, one
 * CreateCluster at AWS, and a running cluster.
 */
describe('a backend killed during EKS provisioning', () => {
  let running: RunningTestEnv;
  let eks: EksEnv;
  let dir: string;
  let port: number;
  const token = crypto.randomBytes(24).toString('base64url');
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    // Its own stand-in, whose control plane stays CREATING long enough to
    // kill a backend in that state.
    running = await acquireTestEnv({ eks: { creatingDescribes: 8 } });
    eks = running.env.eks!;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-restart-'));
    port = await freePort();
    const pg = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
    const database = pg
      ? {
          client: 'pg',
          connection: pg,
          prefix: `eks_restart_${crypto.randomBytes(4).toString('hex')}_`,
        }
      : {
          client: 'better-sqlite3',
          connection: { directory: path.join(dir, 'sqlite') },
        };
    fs.mkdirSync(path.join(dir, 'sqlite'));
    fs.writeFileSync(
      path.join(dir, 'app-config.json'),
      JSON.stringify({
        app: { baseUrl: 'http://portal.example' },
        backend: {
          baseUrl: `http://127.0.0.1:${port}`,
          listen: { port, host: '127.0.0.1' },
          database,
          auth: {
            externalAccess: [
              { type: 'static', options: { token, subject: 'fault-test' } },
            ],
          },
        },
        clusterRegistry: {
          encryptionKey: crypto.randomBytes(32).toString('base64'),
          healthCheck: { intervalSeconds: 3600 },
          provisioning: { intervalSeconds: 1, leaseSeconds: 4 },
          providers: {
            eks: {
              regions: [eks.region],
              kubernetesVersions: ['1.34'],
              readerRoleArn: `arn:aws:iam::${eks.accountId}:role/portal-eks-reader`,
              pollIntervalSeconds: 1,
            },
          },
        },
      }),
    );
  });

  afterAll(async () => {
    for (const child of children)
      if (alive(child)) process.kill(-child.pid!, 'SIGKILL');
    await running?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Starts a backend process and waits until it answers. */
  async function startBackend(): Promise<ChildProcess> {
    const child = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        path.join(__dirname, 'eksBackend.ts'),
        '--config',
        path.join(dir, 'app-config.json'),
      ],
      {
        cwd: path.resolve(__dirname, '../..'),
        detached: true,
        stdio: [
          'ignore',
          fs.openSync(path.join(dir, `backend-${children.length}.log`), 'a'),
          fs.openSync(path.join(dir, `backend-${children.length}.log`), 'a'),
        ],
        env: {
          ...process.env,
          NODE_ENV: 'test',
          AWS_ACCESS_KEY_ID: eks.creator.accessKeyId,
          AWS_SECRET_ACCESS_KEY: eks.creator.secretAccessKey,
          AWS_REGION: eks.region,
          AWS_ENDPOINT_URL: eks.awsEndpoint,
        },
      },
    );
    children.push(child);
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (!alive(child))
        throw new Error(
          `the backend exited: ${fs
            .readFileSync(
              path.join(dir, `backend-${children.length - 1}.log`),
              'utf8',
            )
            .slice(-2000)}`,
        );
      const ok = await fetch(
        `http://127.0.0.1:${port}/.backstage/health/v1/readiness`,
      ).then(
        r => r.ok,
        () => false,
      );
      if (ok) return child;
      if (Date.now() > deadline) throw new Error('the backend did not start');
      await new Promise(r => setTimeout(r, 500));
    }
  }

  const kill = async (child: ChildProcess) => {
    const exited = new Promise(r => child.once('exit', r));
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
  };

  const api = (p: string, init: RequestInit = {}) =>
    fetch(`http://127.0.0.1:${port}/api/cluster-registry${p}`, {
      ...init,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      },
    });

  const progress = async (name: string) =>
    (await (await api(`/clusters/${name}/provisioning`)).json()) as any;

  async function until(
    name: string,
    done: (p: any) => boolean,
    timeoutMs: number,
  ) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const p = await progress(name);
      if (done(p)) return p;
      if (Date.now() > deadline)
        throw new Error(`not there in time: ${JSON.stringify(p)}`);
      await new Promise(r => setTimeout(r, 200));
    }
  }

  const creates = () =>
    fs
      .readFileSync(eks.harnessLogFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(l => JSON.parse(l))
      .filter(
        c =>
          c.service === 'eks' &&
          c.method === 'POST' &&
          c.path === '/clusters' &&
          c.body?.name === eks.clusterName,
      );

  it('resumes in the next backend, creating nothing twice', async () => {
    const name = eks.clusterName;
    let backend = await startBackend();
    const submitted = await api('/provisioning', {
      method: 'POST',
      body: JSON.stringify({
        name,
        provider: 'eks',
        eks: {
          region: eks.region,
          vpcCidr: '10.50.0.0/16',
          kubernetesVersion: '1.34',
          authenticationMode: 'CONFIG_MAP',
        },
      }),
    });
    expect(submitted.status).toBe(202);
    const id = (await submitted.json()).request.id;
    // 1. Killed at once: the first steps were running (or about to).
    await kill(backend);
    const afterFirstKill = await (async () => {
      backend = await startBackend();
      return progress(name);
    })();
    expect(afterFirstKill.state).toBe('running');

    // 2. Killed while EKS reports CREATING.
    await until(
      name,
      p =>
        p.currentStep === 'control-plane' &&
        /CREATING/.test(
          p.steps.find((s: any) => s.id === 'control-plane')?.message ?? '',
        ),
      90_000,
    );
    await kill(backend);
    const frozen = await (async () => {
      backend = await startBackend();
      return progress(name);
    })();
    expect(frozen.currentStep).toBe('control-plane');

    const done = await until(name, p => p.state !== 'running', 120_000);
    expect(done.state).toBe('succeeded');
    const cluster = await (await api(`/clusters/${name}`)).json();
    expect(cluster.status.state).toBe('running');

    // Nothing twice at AWS.
    expect(creates()).toHaveLength(1);
    const config = {
      region: eks.region,
      endpoint: eks.awsEndpoint,
      credentials: {
        accessKeyId: eks.creator.accessKeyId,
        secretAccessKey: eks.creator.secretAccessKey,
      },
    };
    const tagged = [{ Name: `tag:${TAG}`, Values: [id] }];
    const ec2 = new EC2Client(config);
    expect(
      (await ec2.send(new DescribeVpcsCommand({ Filters: tagged }))).Vpcs,
    ).toHaveLength(1);
    expect(
      (await ec2.send(new DescribeSubnetsCommand({ Filters: tagged }))).Subnets,
    ).toHaveLength(6);
    const roles =
      (await new IAMClient(config).send(new ListRolesCommand({}))).Roles ?? [];
    expect(
      roles.filter(r => r.RoleName?.startsWith(`eks-${name}-cluster-`)),
    ).toHaveLength(1);

    // And deleting at AWS still finds all of it.
    expect(
      (await api(`/clusters/${name}/deprovision`, { method: 'POST' })).status,
    ).toBe(202);
    const deleted = await until(
      name,
      p => p.operation === 'delete' && p.state !== 'running',
      60_000,
    );
    expect(deleted.state).toBe('succeeded');
    expect(
      (await ec2.send(new DescribeVpcsCommand({ Filters: tagged }))).Vpcs,
    ).toEqual([]);
    await kill(backend);
  });
});
