import {
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import {
  IAMClient,
  ListOpenIDConnectProvidersCommand,
  ListRolesCommand,
} from '@aws-sdk/client-iam';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import kubernetesPlugin, {
  AwsIamStrategy,
} from '@backstage/plugin-kubernetes-backend';
import { ClusterDetails } from '@backstage/plugin-kubernetes-node';
import {
  ClusterRegistryService,
  clusterRegistryServiceRef,
} from '@cluster-registry/plugin-cluster-registry-node';
import { createEksClusterAction } from '@cluster-registry/plugin-scaffolder-backend-module-cluster-registry';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import {
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import clusterRegistryPlugin from '@cluster-registry/plugin-cluster-registry-backend';
import eksModule from '@cluster-registry/plugin-cluster-registry-backend-module-eks';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import kubernetesModuleClusterRegistry from '@cluster-registry/plugin-kubernetes-backend-module-cluster-registry';
import {
  acquireTestEnv,
  EksEnv,
  RunningTestEnv,
} from '@internal/cluster-registry-test-env';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import request from 'supertest';
import { authWithActors } from './__testUtils__/authWithActors';
import { registrySupplier } from './__testUtils__/registrySupplier';

jest.setTimeout(240_000);

const TAG = 'cluster-registry.backstage.io/request';

/**
 * Creating an EKS cluster through the REST API, against AWS's APIs (moto,
 * behind test-env's EKS harness), a real kube-apiserver as the control plane
 * and the real aws-iam-authenticator as its token webhook: every step, the
 * registration with AWS IAM auth, the Kubernetes plugin reading the cluster
 * as the portal's reader role, and deletion at AWS leaving nothing tagged.
 */
describe('creating an EKS cluster from the portal', () => {
  let running: RunningTestEnv;
  let eks: EksEnv;
  let server: any;
  const saved = { ...process.env };
  let reader: string;
  let registry: ClusterRegistryService;
  /** The registry's actions, as the MCP actions backend calls them. */
  const actions = actionsRegistryServiceMock();

  beforeAll(async () => {
    running = await acquireTestEnv({ eks: true });
    eks = running.env.eks!;
    reader = `arn:aws:iam::${eks.accountId}:role/portal-eks-reader`;
    // The AWS SDK's default chain, as a deployment configures it: the
    // creating identity, every AWS API through the harness (it logs them).
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: eks.creator.accessKeyId,
      AWS_SECRET_ACCESS_KEY: eks.creator.secretAccessKey,
      AWS_REGION: eks.region,
      AWS_ENDPOINT_URL: eks.awsEndpoint,
    });
    ({ server } = await startTestBackend({
      features: [
        clusterRegistryPlugin,
        eksModule,
        kubernetesPlugin,
        kubernetesModuleClusterRegistry,
        // The real events service: the registry's changes reach the module's list.
        eventsServiceFactory,
        // The real scheduler: the provisioning task runs on its schedule.
        schedulerServiceFactory,
        // The Kubernetes plugin asks the registry on behalf of the user.
        authWithActors,
        createServiceFactory({
          service: actionsRegistryServiceRef,
          deps: {},
          factory: () => actions,
        }),
        // Hands the test the registry client other plugins get (the scaffolder action's).
        createBackendPlugin({
          pluginId: 'probe',
          register(reg) {
            reg.registerInit({
              deps: { client: clusterRegistryServiceRef },
              async init({ client }) {
                registry = client;
              },
            });
          },
        }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://portal.example' },
            clusterRegistry: {
              encryptionKey: crypto.randomBytes(32).toString('base64'),
              healthCheck: { intervalSeconds: 3600 },
              provisioning: { intervalSeconds: 1 },
              providers: {
                eks: {
                  regions: [eks.region],
                  kubernetesVersions: ['1.33', '1.34'],
                  readerRoleArn: reader,
                  defaultTags: { 'cost-center': 'platform' },
                  pollIntervalSeconds: 1,
                },
              },
            },
            kubernetes: {
              serviceLocatorMethod: { type: 'multiTenant' },
              clusterLocatorMethods: [{ type: 'config', clusters: [] }],
            },
          },
        }),
      ],
    }));
  });
  afterAll(async () => {
    process.env = saved;
    await running?.stop();
  });

  const api = '/api/cluster-registry';
  const awsCalls = () =>
    fs
      .readFileSync(eks.harnessLogFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(line => JSON.parse(line));
  const spec = (more: object = {}) => ({
    region: eks.region,
    vpcCidr: '10.40.0.0/16',
    kubernetesVersion: '1.34',
    authenticationMode: 'CONFIG_MAP',
    team: 'payments',
    environment: 'qa',
    ...more,
  });

  /** The cluster as the Kubernetes module supplies it to the plugin. */
  async function supplied(name: string): Promise<ClusterDetails> {
    const supplier = registrySupplier(server);
    const found = (
      await supplier.getClusters({ credentials: mockCredentials.none() })
    ).find(c => c.name === name);
    if (!found) throw new Error(`${name} is not supplied`);
    return found;
  }

  /** A GET as the plugin's fetcher makes it: its AWS strategy's token, the supplied CA only. */
  async function getAsPlugin(cluster: ClusterDetails, path: string) {
    const credential = await new AwsIamStrategy({
      config: mockServices.rootConfig({ data: {} }),
    }).getCredential(cluster);
    if (credential.type !== 'bearer token') throw new Error(credential.type);
    return new Promise<{ status?: number; body: any }>((resolve, reject) => {
      https
        .get(
          new URL(path, cluster.url),
          {
            ca: Buffer.from(cluster.caData!, 'base64').toString(),
            headers: { authorization: `Bearer ${credential.token}` },
          },
          res => {
            let text = '';
            res.on('data', c => (text += c));
            res.on('end', () => {
              let body: any = text;
              try {
                body = JSON.parse(text);
              } catch {
                // not JSON
              }
              resolve({ status: res.statusCode, body });
            });
          },
        )
        .on('error', reject);
    });
  }

  /** Polls the cluster's latest request until it ends; every step message seen. */
  async function untilDone(name: string, timeoutMs = 120_000) {
    const seen = new Set<string>();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await request(server).get(
        `${api}/clusters/${name}/provisioning`,
      );
      expect(res.status).toBe(200);
      for (const step of res.body.steps)
        if (step.message) seen.add(`${step.id}: ${step.message}`);
      if (res.body.state !== 'running')
        return { request: res.body, seen: [...seen] };
      if (Date.now() > deadline)
        throw new Error(`still running: ${JSON.stringify(res.body)}`);
      await new Promise(r => setTimeout(r, 250));
    }
  }

  it('refuses bad input with the field and the reason, before any call to AWS', async () => {
    const before = awsCalls().length;
    const cases: Array<[object, string, RegExp]> = [
      [
        { eks: spec({ region: 'eu-north-1' }) },
        'eks.region',
        /is not a region this portal creates clusters in/,
      ],
      [
        { eks: spec({ kubernetesVersion: '1.27' }) },
        'eks.kubernetesVersion',
        /is not a version this portal offers/,
      ],
      [
        {
          eks: spec({
            endpointPublicAccess: false,
            endpointPrivateAccess: false,
          }),
        },
        'eks.endpointPrivateAccess',
        /cannot both be off/,
      ],
      [
        { eks: spec({ vpcCidr: '10.0.0.0/8' }) },
        'eks.vpcCidr',
        /must be a \/16 to \/24 block/,
      ],
      [
        { eks: spec({ availabilityZones: [`${eks.region}a`] }) },
        'eks.availabilityZones',
        /at least 2 zones/,
      ],
      [
        { eks: spec({ publicAccessCidrs: ['192.168.0.0/16'] }) },
        'eks.publicAccessCidrs.0',
        /is not public address space/,
      ],
      [{ name: 'Bad_Name', eks: spec() }, 'name', /must match pattern/],
      [{ eks: undefined }, 'eks', /is required to create an EKS cluster/],
    ];
    for (const [body, field, reason] of cases) {
      const res = await request(server)
        .post(`${api}/provisioning`)
        .send({ name: 'refused', provider: 'eks', ...body });
      expect({ status: res.status, fields: res.body.error.fields }).toEqual({
        status: 400,
        fields: expect.arrayContaining([
          { field, reason: expect.stringMatching(reason) },
        ]),
      });
    }
    expect(awsCalls().length).toBe(before);
    expect((await request(server).get(`${api}/clusters/refused`)).status).toBe(
      404,
    );
    // A zone that is not there is AWS's to say (a read), still before anything is created.
    const zone = await request(server)
      .post(`${api}/provisioning`)
      .send({
        name: 'refused',
        provider: 'eks',
        eks: spec({ availabilityZones: [`${eks.region}a`, `${eks.region}z`] }),
      });
    expect(zone.status).toBe(400);
    expect(zone.body.error.fields).toEqual([
      {
        field: 'eks.availabilityZones.1',
        reason: expect.stringMatching(/is not an available zone/),
      },
    ]);
    expect(
      awsCalls()
        .slice(before)
        .map(c => `${c.service} ${c.method}`)
        .every(c => /^(ec2 POST|eks GET)$/.test(c)),
    ).toBe(true);
  });

  it('creates, registers and verifies the cluster, usable in the Kubernetes plugin at once', async () => {
    const name = eks.clusterName;
    const submitted = await request(server).post(`${api}/provisioning`).send({
      name,
      provider: 'eks',
      category: 'qa',
      owner: 'group:default/payments',
      idempotencyKey: 'task-1:create',
      eks: spec(),
    });
    expect(submitted.status).toBe(202);
    expect(submitted.body.cluster).toMatchObject({
      name,
      status: { state: 'provisioning' },
      origin: {
        type: 'provisioned',
        provider: 'eks',
        requestId: submitted.body.request.id,
      },
    });
    expect(submitted.body.request.steps.map((s: any) => s.id)).toEqual([
      'network',
      'iam',
      'control-plane',
      'irsa',
      'access',
      'registration',
    ]);
    // The same key again: the same request, nothing new.
    const again = await request(server).post(`${api}/provisioning`).send({
      name,
      provider: 'eks',
      idempotencyKey: 'task-1:create',
      eks: spec(),
    });
    expect(again.status).toBe(200);
    expect(again.body.request.id).toBe(submitted.body.request.id);

    const { request: done, seen } = await untilDone(name);
    expect(done.state).toBe('succeeded');
    expect(
      done.steps.every(
        (s: any) => s.state === 'done' && s.startedAt && s.finishedAt,
      ),
    ).toBe(true);
    // The harness reported CREATING first: the wait was observed, not skipped.
    expect(seen).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^control-plane: EKS reports CREATING/),
      ]),
    );
    expect(done.outputs).toMatchObject({
      endpoint: eks.kubeApiServer.serverUrl,
      arn: expect.stringMatching(/^arn:aws:eks:/),
      oidcIssuer: expect.stringMatching(/^https:\/\/oidc\.eks\./),
      vpcId: expect.stringMatching(/^vpc-/),
    });

    const cluster = (await request(server).get(`${api}/clusters/${name}`)).body;
    expect(cluster).toMatchObject({
      serverUrl: eks.kubeApiServer.serverUrl,
      auth: { type: 'aws', clusterId: name, assumeRole: reader },
      status: {
        state: 'running',
        kubernetesVersion: expect.stringMatching(/^v1\./),
      },
    });

    // What was sent to EKS (moto drops accessConfig; the harness kept it).
    const create = awsCalls().find(
      c => c.service === 'eks' && c.method === 'POST' && c.path === '/clusters',
    );
    expect(create.body).toMatchObject({
      name,
      version: '1.34',
      accessConfig: {
        authenticationMode: 'CONFIG_MAP',
        bootstrapClusterCreatorAdminPermissions: true,
      },
      resourcesVpcConfig: {
        endpointPublicAccess: true,
        endpointPrivateAccess: true,
        publicAccessCidrs: ['0.0.0.0/0'],
      },
      tags: {
        team: 'payments',
        environment: 'qa',
        'cost-center': 'platform',
        [TAG]: done.id,
      },
    });
    expect(create.body.resourcesVpcConfig.subnetIds).toHaveLength(6);

    // In the Kubernetes plugin at once, reached as the reader role through
    // aws-iam-authenticator (aws-auth mapped it to view).
    const clusters = await request(server).get('/api/kubernetes/clusters');
    expect(clusters.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name, authProvider: 'aws' }),
      ]),
    );
    // What the plugin then does for an entity's tab (its /proxy imports
    // client-node dynamically, which jest cannot run): the cluster as the
    // module supplies it, a token from the plugin's own AWS strategy.
    const details = await supplied(name);
    expect(details.authMetadata).toMatchObject({
      'kubernetes.io/auth-provider': 'aws',
      'kubernetes.io/x-k8s-aws-id': name,
      'kubernetes.io/aws-assume-role': reader,
    });
    expect(await getAsPlugin(details, '/version')).toMatchObject({
      status: 200,
      body: { gitVersion: expect.stringMatching(/^v1\./) },
    });
    expect(
      await getAsPlugin(details, '/api/v1/namespaces/kube-system/pods'),
    ).toMatchObject({ status: 200 });
    // view only: no secrets
    expect(
      await getAsPlugin(details, '/api/v1/namespaces/kube-system/secrets'),
    ).toMatchObject({ status: 403 });
    const sts = fs.readFileSync(eks.stsLogFile, 'utf8');
    expect(sts).toContain('assumed-role/portal-eks-reader/');
  });

  it('deletes the cluster at AWS: out of the Kubernetes plugin first, then nothing tagged is left', async () => {
    const name = eks.clusterName;
    const id = (
      await request(server).get(`${api}/clusters/${name}/provisioning`)
    ).body.id;
    // Two clicks at once: one deletion.
    const [first, second] = await Promise.all([
      request(server).post(`${api}/clusters/${name}/deprovision`),
      request(server).post(`${api}/clusters/${name}/deprovision`),
    ]);
    expect([first.status, second.status].sort()).toEqual([202, 409]);
    const res = first.status === 202 ? first : second;
    expect(res.body.steps.map((s: any) => s.id)).toEqual([
      'deregistration',
      'control-plane',
      'irsa',
      'iam',
      'network',
      'removal',
    ]);
    const { request: done } = await untilDone(name);
    expect(done).toMatchObject({ operation: 'delete', state: 'succeeded' });
    expect((await request(server).get(`${api}/clusters/${name}`)).status).toBe(
      404,
    );
    const clusters = await request(server).get('/api/kubernetes/clusters');
    expect(clusters.body.items.map((c: any) => c.name)).not.toContain(name);

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
    ).toEqual([]);
    expect(
      (await ec2.send(new DescribeSubnetsCommand({ Filters: tagged }))).Subnets,
    ).toEqual([]);
    await expect(
      new EKSClient(config).send(new DescribeClusterCommand({ name })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    const iam = new IAMClient(config);
    const roles = (await iam.send(new ListRolesCommand({}))).Roles ?? [];
    expect(roles.map(r => r.RoleName)).not.toContainEqual(
      expect.stringContaining(`eks-${name}-cluster-`),
    );
    const oidc =
      (await iam.send(new ListOpenIDConnectProvidersCommand({})))
        .OpenIDConnectProviderList ?? [];
    expect(oidc.map(p => p.Arn)).not.toContain(
      expect.stringContaining(
        done.outputs?.oidcIssuer?.replace('https://', '') ?? 'x',
      ),
    );
  });

  it("reports AWS's error at the failing step, and a failed cluster can still be deleted at AWS", async () => {
    // Another name: moto's own endpoint, and API mode, whose access entries moto lacks.
    // Asked through the MCP action this time: no secret, the same checks.
    const name = 'api-mode';
    const asked = await actions.invoke({
      id: 'test:create-eks-cluster',
      input: {
        name,
        region: eks.region,
        kubernetesVersion: '1.34',
        authenticationMode: 'API',
        vpcCidr: '10.41.0.0/20',
        team: 'payments',
      },
      credentials: mockCredentials.user('user:default/mcp-agent'),
    });
    expect(asked.output).toMatchObject({
      cluster: { name, state: 'provisioning' },
      requestId: expect.any(String),
      steps: expect.arrayContaining(["Access for the portal's role"]),
      url: `http://portal.example/clusters/${name}`,
    });
    const submitted = {
      body: { request: { id: (asked.output as any).requestId } },
    };
    const { request: failed } = await untilDone(name);
    const viaMcp = await actions.invoke({
      id: 'test:get-cluster-provisioning',
      input: { name },
      credentials: mockCredentials.user('user:default/mcp-agent'),
    });
    expect(viaMcp.output).toMatchObject({
      request: { id: failed.id, state: 'failed' },
    });
    expect(failed.state).toBe('failed');
    const access = failed.steps.find((s: any) => s.id === 'access');
    expect(access).toMatchObject({
      state: 'failed',
      error: {
        message: expect.stringContaining('eks:CreateAccessEntry'),
        hint: expect.any(String),
      },
    });
    const cluster = (await request(server).get(`${api}/clusters/${name}`)).body;
    expect(cluster.status).toMatchObject({
      state: 'failed',
      message: expect.stringContaining('creation failed at'),
    });
    // Nothing to refresh or disconnect mid-way; deleting at AWS cleans up.
    expect(
      (await request(server).post(`${api}/clusters/${name}/refresh`)).status,
    ).toBe(409);
    const res = await request(server).post(
      `${api}/clusters/${name}/deprovision`,
    );
    expect(res.status).toBe(202);
    const { request: deleted } = await untilDone(name);
    expect(deleted.state).toBe('succeeded');
    const ec2 = new EC2Client({
      region: eks.region,
      endpoint: eks.awsEndpoint,
      credentials: {
        accessKeyId: eks.creator.accessKeyId,
        secretAccessKey: eks.creator.secretAccessKey,
      },
    });
    expect(
      (
        await ec2.send(
          new DescribeVpcsCommand({
            Filters: [
              { Name: `tag:${TAG}`, Values: [submitted.body.request.id] },
            ],
          }),
        )
      ).Vpcs,
    ).toEqual([]);
  });

  it('the scaffolder action creates it on behalf of the user, waits until it runs and outputs endpoint, ARN and issuer', async () => {
    const name = eks.clusterName; // deleted at AWS by the test before
    const action = createEksClusterAction({
      registry,
      appBaseUrl: 'http://portal.example',
      pollIntervalMs: 250,
    });
    const logger = mockServices.logger.mock();
    const base = createMockActionContext({
      input: {
        name,
        category: 'qa',
        region: eks.region,
        vpcCidr: '10.42.0.0/16',
        kubernetesVersion: '1.34',
        authenticationMode: 'CONFIG_MAP',
        availabilityZones: [`${eks.region}a`, `${eks.region}b`],
        team: '',
        waitUntilReady: true,
        timeoutMinutes: 3,
      },
      logger,
    });
    const ctx = {
      ...base,
      task: { ...base.task, id: 'task-eks-1' },
      getInitiatorCredentials: async () =>
        mockCredentials.user('user:default/ann'),
    };
    await action.handler(ctx as any);
    const outputs = Object.fromEntries(jest.mocked(ctx.output).mock.calls);
    expect(outputs).toMatchObject({
      name,
      clusterUrl: `http://portal.example/clusters/${name}`,
      entityRef: `resource:default/${name}`,
      endpoint: eks.kubeApiServer.serverUrl,
      arn: expect.stringMatching(/^arn:aws:eks:/),
      oidcIssuer: expect.stringMatching(/^https:\/\/oidc\.eks\./),
    });
    expect(logger.info).toHaveBeenCalledWith(
      expect.stringMatching(/^EKS control plane: EKS reports CREATING/),
    );
    const cluster = (await request(server).get(`${api}/clusters/${name}`)).body;
    expect(cluster).toMatchObject({
      createdBy: 'user:default/ann',
      status: { state: 'running' },
    });
    // Two subnets per zone asked for.
    const create = awsCalls()
      .filter(
        c =>
          c.service === 'eks' && c.method === 'POST' && c.path === '/clusters',
      )
      .at(-1);
    expect(create.body.resourcesVpcConfig.subnetIds).toHaveLength(4);

    await request(server)
      .post(`${api}/clusters/${name}/deprovision`)
      .expect(202);
    expect((await untilDone(name)).request.state).toBe('succeeded');
  });

  it("never takes up an earlier cluster's request: a new cluster of the same name is not retried, shown or deleted as the old one", async () => {
    const name = 'reused-name';
    const asked = await request(server)
      .post(`${api}/provisioning`)
      .send({
        name,
        provider: 'eks',
        eks: spec({ authenticationMode: 'API', vpcCidr: '10.43.0.0/20' }),
      });
    expect(asked.status).toBe(202);
    expect((await untilDone(name)).request.state).toBe('failed');
    // Given up (its AWS resources stay), and the name registered anew.
    expect(
      (await request(server).delete(`${api}/clusters/${name}`)).status,
    ).toBe(204);
    await request(server)
      .post(`${api}/clusters`)
      .send({ name, isolated: true })
      .expect(201);
    expect(
      (await request(server).get(`${api}/clusters/${name}/provisioning`))
        .status,
    ).toBe(404);
    expect(
      (await request(server).post(`${api}/clusters/${name}/provisioning/retry`))
        .status,
    ).toBe(404);
    expect(
      (await request(server).post(`${api}/clusters/${name}/deprovision`))
        .status,
    ).toBe(409);
    expect(
      (await request(server).get(`${api}/clusters/${name}`)).body.status.state,
    ).toBe('isolated');
  });
});
