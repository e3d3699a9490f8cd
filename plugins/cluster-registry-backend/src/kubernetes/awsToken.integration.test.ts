import { mockServices } from '@backstage/backend-test-utils';
import {
  acquireTestEnv,
  b64,
  RunningTestEnv,
} from '@internal/cluster-registry-test-env';
import { RootConfigService } from '@backstage/backend-plugin-api';
import { AwsIamStrategy } from '@backstage/plugin-kubernetes-backend';
import { AwsClusterAuth } from '@cluster-registry/plugin-cluster-registry-common';
import http from 'node:http';
import { startRegistry } from '../__testUtils__/startRegistry';
import { awsTokenSourceFromConfig } from './awsToken';
import { AddressPolicy } from '@cluster-registry/plugin-cluster-registry-node';
import { verifyCluster } from './verifyCluster';

jest.setTimeout(240_000);

const ROLE = 'arn:aws:iam::123456789012:role/portal-eks-admin';

/** The query parameters that differ from one signing to the next. */
const PER_SIGNING = [
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
  'X-Amz-Credential',
];

/** The presigned STS URL inside an EKS token (`k8s-aws-v1.` + base64url). */
function urlOf(token: string) {
  expect(token).toMatch(/^k8s-aws-v1\.[A-Za-z0-9_-]+$/);
  return new URL(
    Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString(),
  );
}

describe('AWS IAM tokens (real AWS APIs from moto, real kube-apiserver)', () => {
  let running: RunningTestEnv;
  const saved = { ...process.env };
  beforeAll(async () => {
    running = await acquireTestEnv({ kubeApiServers: 1, moto: true });
    const moto = running.env.moto!;
    // The AWS SDK's default chain, as a deployment would configure it; STS
    // calls (AssumeRole) go to moto.
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: moto.accessKeyId,
      AWS_SECRET_ACCESS_KEY: moto.secretAccessKey,
      AWS_REGION: moto.region,
      AWS_ENDPOINT_URL_STS: moto.endpoint,
    });
  });
  afterAll(async () => {
    process.env = saved;
    await running?.stop();
  });

  const getFromMoto = (url: URL, headers: Record<string, string>) =>
    new Promise<{ status?: number; body: string }>((resolve, reject) => {
      const moto = new URL(running.env.moto!.endpoint);
      http
        .get(
          {
            host: moto.hostname,
            port: moto.port,
            path: `${url.pathname}${url.search}`,
            headers: { ...headers, host: url.host },
          },
          res => {
            let body = '';
            res.on('data', chunk => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode, body }));
          },
        )
        .on('error', reject);
    });

  /**
   * What an EKS API server does with a token: GET the presigned URL (with its
   * Host) and the cluster id header. moto reads the caller's access key from
   * an Authorization header only, so the same signature goes there too. STS
   * answers with the caller's ARN.
   */
  const callerOf = async (token: string, clusterId: string) => {
    const url = urlOf(token);
    const q = url.searchParams;
    const answer = await getFromMoto(url, {
      'x-k8s-aws-id': clusterId,
      authorization: `AWS4-HMAC-SHA256 Credential=${q.get(
        'X-Amz-Credential',
      )}, SignedHeaders=${q.get('X-Amz-SignedHeaders')}, Signature=${q.get(
        'X-Amz-Signature',
      )}`,
    });
    expect(answer).toMatchObject({ status: 200 });
    return /<Arn>([^<]+)<\/Arn>/.exec(answer.body)?.[1];
  };

  const source = () =>
    awsTokenSourceFromConfig(mockServices.rootConfig({ data: {} }));

  /** verifyCluster of an AWS IAM cluster (id prod-eu, ROLE) at the API server. */
  const verifyAwsCluster = () => {
    const api = running.env.kubeApiServers[0];
    return verifyCluster(
      {
        name: 'c',
        serverUrl: api.serverUrl,
        auth: { type: 'aws', clusterId: 'prod-eu', assumeRole: ROLE },
        tls: { caData: b64(api.caData), insecureSkipTlsVerify: false },
        secrets: {},
      },
      {
        timeoutMs: 5000,
        supportedVersions: { min: '1.28' },
        addressPolicy: new AddressPolicy(),
        awsTokens: source(),
      },
    );
  };

  it('mints a token that STS resolves to the assumed role', async () => {
    const token = await source()({
      type: 'aws',
      clusterId: 'prod-eu',
      assumeRole: ROLE,
      externalId: 'portal',
    });
    const url = urlOf(token);
    expect(url.protocol).toBe('https:');
    expect(url.hostname).toBe(`sts.${running.env.moto!.region}.amazonaws.com`);
    expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toContain(
      'x-k8s-aws-id',
    );
    // moto's STS names the assumed role the token was signed as.
    expect(await callerOf(token, 'prod-eu')).toMatch(
      /^arn:aws:sts::123456789012:assumed-role\/portal-eks-admin\//,
    );
  });

  it('without a role, the token is signed with the base credentials', async () => {
    const token = await source()({ type: 'aws', clusterId: 'prod-eu' });
    expect(urlOf(token).searchParams.get('X-Amz-Credential')).toMatch(
      new RegExp(`^${running.env.moto!.accessKeyId}/`),
    );
    // STS accepts it too, as the base identity rather than a role session.
    expect(await callerOf(token, 'prod-eu')).toMatch(
      /^arn:aws:(iam|sts)::123456789012:(?!assumed-role)/,
    );
  });

  /** The token the Kubernetes plugin's `aws` auth provider mints. */
  const kubernetesPluginToken = async (
    config: RootConfigService,
    { clusterId, assumeRole, externalId }: AwsClusterAuth,
  ) => {
    // The annotation names of @backstage/plugin-kubernetes-common.
    const credential = await new AwsIamStrategy({ config }).getCredential({
      name: 'c',
      url: '',
      authMetadata: {
        'kubernetes.io/x-k8s-aws-id': clusterId,
        ...(assumeRole && { 'kubernetes.io/aws-assume-role': assumeRole }),
        ...(externalId && { 'kubernetes.io/aws-external-id': externalId }),
      },
    });
    if (credential.type !== 'bearer token') throw new Error(credential.type);
    return credential.token;
  };

  /** A token's URL without the parameters that differ per signing. */
  const signingIndependent = (token: string) => {
    const url = urlOf(token);
    PER_SIGNING.forEach(name => url.searchParams.delete(name));
    const query = Object.fromEntries(url.searchParams);
    return { origin: url.origin, path: url.pathname, query };
  };

  it.each<[string, Partial<AwsClusterAuth>, RegExp]>([
    [
      'the base credentials',
      {},
      /^arn:aws:(iam|sts)::123456789012:(?!assumed-role)/,
    ],
    [
      'an assumed role',
      { assumeRole: ROLE, externalId: 'portal' },
      /^arn:aws:sts::123456789012:assumed-role\/portal-eks-admin\//,
    ],
  ])(
    "STS accepts our token and the Kubernetes plugin's alike, as %s",
    async (_, role, caller) => {
      const auth: AwsClusterAuth = {
        type: 'aws',
        clusterId: 'prod-eu',
        ...role,
      };
      const config = mockServices.rootConfig({ data: {} });
      const ours = await awsTokenSourceFromConfig(config)(auth);
      const theirs = await kubernetesPluginToken(config, auth);

      expect(await callerOf(ours, 'prod-eu')).toMatch(caller);
      expect(await callerOf(theirs, 'prod-eu')).toMatch(caller);
      // Same host, Action, Version and signed headers: only what changes with
      // each signing (time, validity, keys of the role session) differs.
      expect(signingIndependent(ours)).toEqual(signingIndependent(theirs));
      expect(urlOf(ours).searchParams.get('X-Amz-SignedHeaders')).toBe(
        'host;x-k8s-aws-id',
      );
    },
  );

  it('verification sends the token; an API server without IAM auth says 401', async () => {
    const result = await verifyAwsCluster();
    expect(result).toMatchObject({ ok: false, reason: 'unauthorized' });
    expect(result.message).toMatch(/rejected the AWS IAM token.*'prod-eu'/);
  });

  it('when the role cannot be assumed (STS unreachable), verification says so and sends nothing', async () => {
    process.env.AWS_ENDPOINT_URL_STS = 'http://127.0.0.1:9'; // nothing listens
    try {
      const result = await verifyAwsCluster();
      expect(result).toMatchObject({ ok: false, reason: 'unauthorized' });
      expect(result.message).toContain(
        `could not get an AWS IAM token as ${ROLE}`,
      );
    } finally {
      process.env.AWS_ENDPOINT_URL_STS = running.env.moto!.endpoint;
    }
  });

  it('POST /clusters verifies an AWS IAM cluster, or stores it when told to skip', async () => {
    const server = await startRegistry();
    const base = `http://localhost:${server.port()}/api/cluster-registry`;
    const api = running.env.kubeApiServers[0];
    const body = {
      name: 'eks-prod',
      serverUrl: api.serverUrl,
      auth: { type: 'aws', clusterId: 'eks-prod', assumeRole: ROLE },
      tls: { caData: b64(api.caData) },
    };
    const post = (extra: object) =>
      fetch(`${base}/clusters`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...body, ...extra }),
      });

    const refused = await post({});
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.message).toMatch(
      /^auth: verification failed \(unauthorized\): the API server rejected the AWS IAM token/,
    );
    expect((await fetch(`${base}/clusters/eks-prod`)).status).toBe(404);

    const stored = await post({ skipVerification: true });
    expect(stored.status).toBe(201);
    expect(await stored.json()).toMatchObject({
      name: 'eks-prod',
      auth: { type: 'aws', clusterId: 'eks-prod', assumeRole: ROLE },
    });
    // The scheduled check and "refresh" mint a token the same way.
    const refreshed = await fetch(`${base}/clusters/eks-prod/refresh`, {
      method: 'POST',
    });
    expect((await refreshed.json()).status).toMatchObject({
      state: 'unauthorized',
      message: expect.stringContaining('rejected the AWS IAM token'),
    });
    await server.stop();
  });
});
