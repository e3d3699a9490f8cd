// The token is minted with the signer the portal uses (awsToken.ts of
// cluster-registry-backend); these are hoisted dependencies of
// @aws-sdk/client-eks, not (yet) declared by this package.
import { Sha256 } from '@aws-crypto/sha256-js';
import {
  CreateClusterCommand,
  DescribeClusterCommand,
  EKSClient,
} from '@aws-sdk/client-eks';
import { SignatureV4 } from '@smithy/signature-v4';
import fs from 'node:fs';
import https from 'node:https';
import { httpsGet } from '../testing/https';
import { startTestEnv, RunningTestEnv } from '../index';
import { EksEnv } from '../types';

jest.setTimeout(240_000);

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * An EKS token exactly as plugins/cluster-registry-backend/src/kubernetes/awsToken.ts
 * mints it: `k8s-aws-v1.` + base64url of a presigned STS GetCallerIdentity
 * URL whose signed headers include x-k8s-aws-id.
 */
async function eksToken(
  credentials: Credentials,
  clusterId: string,
  region = 'us-east-1',
) {
  const host = `sts.${region}.amazonaws.com`;
  const signer = new SignatureV4({
    credentials,
    region,
    service: 'sts',
    sha256: Sha256,
  });
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname: host,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host, 'x-k8s-aws-id': clusterId },
    },
    { expiresIn: 60 },
  );
  const query = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(`${v}`)}`)
    .join('&');
  return `k8s-aws-v1.${Buffer.from(`https://${host}/?${query}`).toString(
    'base64url',
  )}`;
}

/** A request to the API server with a bearer token. */
function kube(
  eks: EksEnv,
  method: string,
  path: string,
  token: string,
  body?: object,
): Promise<{ status: number; json: any }> {
  const u = new URL(eks.kubeApiServer.serverUrl);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: u.hostname,
        port: u.port,
        method,
        path,
        ca: eks.kubeApiServer.caData,
        agent: false,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
        },
      },
      res => {
        let text = '';
        res.on('data', d => (text += d));
        res.on('end', () => {
          let json: any = text;
          try {
            json = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

const whoAmI = (eks: EksEnv, token: string) =>
  kube(
    eks,
    'POST',
    '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    token,
    {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
    },
  );

/** An AWS Query API call to moto (which does not check signatures). */
async function awsQuery(
  endpoint: string,
  service: string,
  accessKeyId: string,
  params: Record<string, string>,
) {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams(params),
  });
  const text = await res.text();
  expect(res.status).toBe(200);
  return (name: string) =>
    new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1] ?? '';
}

const jsonLines = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(l => JSON.parse(l));

describe('self-check: EKS stand-in (moto + harness, kube-apiserver, aws-iam-authenticator)', () => {
  let running: RunningTestEnv;
  let eks: EksEnv;
  beforeAll(async () => {
    running = await startTestEnv({ eks: true });
    eks = running.env.eks!;
  });
  afterAll(() => running?.stop());

  const client = () =>
    new EKSClient({
      endpoint: eks.awsEndpoint,
      region: eks.region,
      credentials: {
        accessKeyId: eks.creator.accessKeyId,
        secretAccessKey: eks.creator.secretAccessKey,
      },
    });

  it('CreateCluster answers CREATING, then DescribeCluster twice CREATING, then ACTIVE with the real API server', async () => {
    expect(eks.clusterName).toBe('portal-eks');
    const created = await client().send(
      new CreateClusterCommand({
        name: eks.clusterName,
        roleArn: 'arn:aws:iam::123456789012:role/portal-eks-cluster',
        resourcesVpcConfig: { subnetIds: ['subnet-1', 'subnet-2'] },
        version: '1.31',
        accessConfig: { authenticationMode: 'CONFIG_MAP' },
      }),
    );
    expect(created.cluster?.status).toBe('CREATING');
    expect(created.cluster?.endpoint).toBeUndefined();

    const describe = () =>
      client().send(new DescribeClusterCommand({ name: eks.clusterName }));
    for (let i = 0; i < eks.creatingDescribes; i++) {
      const { cluster } = await describe();
      expect(cluster?.status).toBe('CREATING');
      expect(cluster?.certificateAuthority?.data).toBeUndefined();
    }
    const { cluster } = await describe();
    expect(cluster?.status).toBe('ACTIVE');
    expect(cluster?.endpoint).toBe(eks.kubeApiServer.serverUrl);
    const ca = Buffer.from(
      cluster!.certificateAuthority!.data!,
      'base64',
    ).toString();
    expect(ca).toBe(eks.kubeApiServer.caData);
    // The CA EKS reported verifies the server EKS reported.
    const version = await httpsGet(`${cluster!.endpoint}/version`, { ca });
    expect(version.status).toBe(200);

    // What moto dropped, the harness log kept.
    const create = jsonLines(eks.harnessLogFile).find(
      l => l.service === 'eks' && l.method === 'POST' && l.path === '/clusters',
    );
    expect(create.body.accessConfig).toEqual({
      authenticationMode: 'CONFIG_MAP',
    });
  });

  it('gives each cluster its own OIDC issuer, and leaves other clusters as moto made them', async () => {
    await client().send(
      new CreateClusterCommand({
        name: 'other-cluster',
        roleArn: 'arn:aws:iam::123456789012:role/portal-eks-cluster',
        resourcesVpcConfig: {},
      }),
    );
    const get = (name: string) =>
      client().send(new DescribeClusterCommand({ name }));
    const [a, b] = [
      (await get(eks.clusterName)).cluster!,
      (await get('other-cluster')).cluster!,
    ];
    expect(b.status).toBe('ACTIVE');
    expect(b.endpoint).not.toBe(eks.kubeApiServer.serverUrl);
    expect(a.identity?.oidc?.issuer).toMatch(
      /^https:\/\/oidc\.eks\.us-east-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/,
    );
    expect(a.identity?.oidc?.issuer).not.toBe(b.identity?.oidc?.issuer);
  });

  it("accepts the creator's token as system:masters (aws-iam-authenticator, MountedFile)", async () => {
    const token = await eksToken(eks.creator, eks.clusterName);
    const review = await whoAmI(eks, token);
    expect(review.status).toBe(201);
    expect(review.json.status.userInfo).toMatchObject({
      username: 'kubernetes-admin',
      groups: expect.arrayContaining([
        'system:masters',
        'system:authenticated',
      ]),
      extra: expect.objectContaining({
        arn: [eks.creator.arn],
      }),
    });
    expect(
      (await kube(eks, 'GET', '/api/v1/namespaces/kube-system/secrets', token))
        .status,
    ).toBe(200);
    // aws-iam-authenticator really asked STS (the front, then moto).
    expect(jsonLines(eks.stsLogFile)).toContainEqual(
      expect.objectContaining({
        verdict: 'ok',
        arn: eks.creator.arn,
        xK8sAwsId: eks.clusterName,
      }),
    );
  });

  it('rejects a token signed for another cluster id (the signature covers x-k8s-aws-id)', async () => {
    const token = await eksToken(eks.creator, 'some-other-cluster');
    expect((await whoAmI(eks, token)).status).toBe(401);
    expect(jsonLines(eks.stsLogFile)).toContainEqual(
      expect.objectContaining({
        verdict: 'SignatureDoesNotMatch',
        accessKeyId: eks.creator.accessKeyId,
        xK8sAwsId: eks.clusterName, // the authenticator sends its own id
      }),
    );
  });

  it("rejects moto's default identity (keys moto never issued)", async () => {
    const token = await eksToken(
      { accessKeyId: 'testing', secretAccessKey: 'testing' },
      eks.clusterName,
    );
    expect((await whoAmI(eks, token)).status).toBe(401);
  });

  it('rejects an assumed reader role until aws-auth maps it, then authenticates it as mapped', async () => {
    const moto = running.env.moto!;
    const role = 'arn:aws:iam::123456789012:role/portal-eks-reader';
    await awsQuery(moto.endpoint, 'iam', eks.creator.accessKeyId, {
      Action: 'CreateRole',
      Version: '2010-05-08',
      RoleName: 'portal-eks-reader',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: eks.creator.arn },
            Action: 'sts:AssumeRole',
          },
        ],
      }),
    });
    const assumed = await awsQuery(
      moto.endpoint,
      'sts',
      eks.creator.accessKeyId,
      {
        Action: 'AssumeRole',
        Version: '2011-06-15',
        RoleArn: role,
        RoleSessionName: 'portal',
      },
    );
    const session = {
      accessKeyId: assumed('AccessKeyId'),
      secretAccessKey: assumed('SecretAccessKey'),
      sessionToken: assumed('SessionToken'),
    };
    const token = await eksToken(session, eks.clusterName);
    expect((await whoAmI(eks, token)).status).toBe(401);

    // What the portal's CONFIG_MAP mode does, as the creator.
    const admin = await eksToken(eks.creator, eks.clusterName);
    const mapRoles = `- rolearn: ${role}\n  username: portal-reader:{{SessionName}}\n  groups:\n  - cluster-registry:readers\n`;
    expect(
      (
        await kube(
          eks,
          'POST',
          '/api/v1/namespaces/kube-system/configmaps',
          admin,
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'aws-auth', namespace: 'kube-system' },
            data: { mapRoles },
          },
        )
      ).status,
    ).toBe(201);
    expect(
      (
        await kube(
          eks,
          'POST',
          '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
          admin,
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'ClusterRoleBinding',
            metadata: { name: 'cluster-registry-readers' },
            roleRef: {
              apiGroup: 'rbac.authorization.k8s.io',
              kind: 'ClusterRole',
              name: 'view',
            },
            subjects: [
              {
                apiGroup: 'rbac.authorization.k8s.io',
                kind: 'Group',
                name: 'cluster-registry:readers',
              },
            ],
          },
        )
      ).status,
    ).toBe(201);

    // The EKSConfigMap backend watches aws-auth: the same token works soon.
    let review = await whoAmI(eks, token);
    for (let i = 0; i < 50 && review.status !== 201; i++) {
      await new Promise(r => setTimeout(r, 200));
      review = await whoAmI(eks, token);
    }
    expect(review.status).toBe(201);
    expect(review.json.status.userInfo).toMatchObject({
      username: 'portal-reader:portal',
      groups: expect.arrayContaining(['cluster-registry:readers']),
    });
    expect(review.json.status.userInfo.groups).not.toContain('system:masters');
    expect(
      (await kube(eks, 'GET', '/api/v1/namespaces/default/pods', token)).status,
    ).toBe(200);
    expect(
      (await kube(eks, 'GET', '/api/v1/namespaces/kube-system/secrets', token))
        .status,
    ).toBe(403);
  });

  it('stops, removing its network namespace', async () => {
    const ns = eks.namespace;
    expect(fs.existsSync(`/var/run/netns/${ns}`)).toBe(true);
    await running.stop();
    expect(fs.existsSync(`/var/run/netns/${ns}`)).toBe(false);
    expect(fs.existsSync(`/etc/netns/${ns}`)).toBe(false);
  });
});
