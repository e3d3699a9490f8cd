import { mockServices } from '@backstage/backend-test-utils';
import {
  acquireTestEnv,
  RunningTestEnv,
} from '@internal/cluster-registry-test-env';
import http from 'node:http';
import { startRegistry } from '../__testUtils__/startRegistry';
import { awsTokenSourceFromConfig } from './awsToken';
import { AddressPolicy } from '../network/AddressPolicy';
import { verifyCluster } from './verifyCluster';

jest.setTimeout(240_000);

const ROLE = 'arn:aws:iam::123456789012:role/portal-eks-admin';
const b64 = (pem: string) => Buffer.from(pem).toString('base64');

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
    // What an EKS API server does with the token: GET the presigned URL (with
    // its Host) and the cluster id header. moto reads the caller's access key
    // from an Authorization header only, so the same signature goes there too.
    // Its STS names the assumed role the token was signed as.
    const q = url.searchParams;
    const answer = await getFromMoto(url, {
      'x-k8s-aws-id': 'prod-eu',
      authorization: `AWS4-HMAC-SHA256 Credential=${q.get(
        'X-Amz-Credential',
      )}, SignedHeaders=${q.get('X-Amz-SignedHeaders')}, Signature=${q.get(
        'X-Amz-Signature',
      )}`,
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain(
      'arn:aws:sts::123456789012:assumed-role/portal-eks-admin/',
    );
  });

  it('without a role, the token is signed with the base credentials', async () => {
    const url = urlOf(await source()({ type: 'aws', clusterId: 'prod-eu' }));
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(
      new RegExp(`^${running.env.moto!.accessKeyId}/`),
    );
  });

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
