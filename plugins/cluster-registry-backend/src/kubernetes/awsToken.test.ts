import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { mockServices } from '@backstage/backend-test-utils';
import crypto from 'node:crypto';
import { awsTokenSourceFromConfig } from './awsToken';

// Assuming a role is an STS call; here it yields fixed temporary credentials.
// The session token has the characters a real one has that need encoding.
const mockTemporary = {
  accessKeyId: 'ASIATEMPORARY',
  secretAccessKey: 'temporary-secret',
  sessionToken: 'Fw//session+token=',
};
jest.mock('@aws-sdk/credential-providers', () => ({
  ...jest.requireActual('@aws-sdk/credential-providers'),
  fromTemporaryCredentials: jest.fn(() => async () => mockTemporary),
}));

const ROLE = 'arn:aws:iam::111122223333:role/portal-eks-admin';
const source = () =>
  awsTokenSourceFromConfig(
    mockServices.rootConfig({
      data: {
        aws: {
          mainAccount: { accessKeyId: 'AKIAMAIN', secretAccessKey: 'main' },
          accounts: [
            {
              accountId: '111122223333',
              accessKeyId: 'AKIAACCOUNT',
              secretAccessKey: 'account',
            },
          ],
        },
      },
    }),
  );

/**
 * The token `AwsIamStrategy` of `@backstage/plugin-kubernetes-backend` 0.21.11
 * (the Kubernetes plugin's `aws` auth provider) minted for cluster prod-eu with
 * this config's main account, no role and no AWS_REGION, with the clock at
 * SIGNED_AT. (This package may not depend on that backend plugin, so the token
 * is recorded here rather than minted by it.)
 */
const KUBERNETES_PLUGIN_TOKEN =
  'k8s-aws-v1.aHR0cHM6Ly9zdHMudXMtZWFzdC0xLmFtYXpvbmF3cy5jb20vP0FjdGlvbj1HZXRDYWxsZXJJZGVudGl0eSZWZXJzaW9uPTIwMTEtMDYtMTUmWC1BbXotQWxnb3JpdGhtPUFXUzQtSE1BQy1TSEEyNTYmWC1BbXotQ3JlZGVudGlhbD1BS0lBTUFJTiUyRjIwMjUwMTAyJTJGdXMtZWFzdC0xJTJGc3RzJTJGYXdzNF9yZXF1ZXN0JlgtQW16LURhdGU9MjAyNTAxMDJUMDMwNDA1WiZYLUFtei1FeHBpcmVzPTAmWC1BbXotU2lnbmVkSGVhZGVycz1ob3N0JTNCeC1rOHMtYXdzLWlkJlgtQW16LVNpZ25hdHVyZT05MGNiMzZlYzQ5YWFlYjAwOTkyNWJlYzIxOWYzYjhkNjkyMjNkYzA1ZDU5MjA4NDhhNzBjYjEzYTkwOTQ2MjA4';
const SIGNED_AT = Date.UTC(2025, 0, 2, 3, 4, 5);

/** The presigned STS URL inside an EKS token. */
function urlOf(token: string) {
  // base64url without padding (no `=`, `+` or `/`)
  expect(token).toMatch(/^k8s-aws-v1\.[A-Za-z0-9_-]+$/);
  return new URL(
    Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString(),
  );
}

/**
 * Whether the URL carries a valid SigV4 query signature for `secret` over the
 * given headers: the check STS makes, written out here independently of the
 * signer used by the code under test.
 */
function signatureValid(
  url: URL,
  headers: Record<string, string>,
  secret: string,
) {
  const q = url.searchParams;
  const [, day, region, service] = q.get('X-Amz-Credential')!.split('/');
  const enc = (s: string) =>
    encodeURIComponent(s).replace(
      /[!'()*]/g,
      c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
  const query = [...q]
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [enc(k), enc(v)])
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const signed = q.get('X-Amz-SignedHeaders')!;
  const canonicalHeaders = signed
    .split(';')
    .map(h => `${h}:${headers[h]}\n`)
    .join('');
  const sha = (s: string) =>
    crypto.createHash('sha256').update(s).digest('hex');
  const hmac = (key: string | Buffer, s: string) =>
    crypto.createHmac('sha256', key).update(s).digest();
  const request = [
    'GET',
    url.pathname,
    query,
    canonicalHeaders,
    signed,
    sha(''),
  ];
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = [
    'AWS4-HMAC-SHA256',
    q.get('X-Amz-Date'),
    scope,
    sha(request.join('\n')),
  ];
  const key = [day, region, service, 'aws4_request'].reduce<string | Buffer>(
    hmac,
    `AWS4${secret}`,
  );
  return (
    hmac(key, toSign.join('\n')).toString('hex') === q.get('X-Amz-Signature')
  );
}

describe('awsTokenSourceFromConfig', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    for (const name of ['AWS_REGION', 'AWS_PROFILE', 'AWS_ENDPOINT_URL_STS'])
      delete process.env[name];
    jest.mocked(fromTemporaryCredentials).mockClear();
  });
  afterAll(() => {
    process.env = saved;
  });

  it('presigns GetCallerIdentity at the us-east-1 STS endpoint for 60 s, bound to the cluster id', async () => {
    const url = urlOf(await source()({ type: 'aws', clusterId: 'prod-eu' }));
    expect(url.origin).toBe('https://sts.us-east-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    const q = url.searchParams;
    expect(q.get('Action')).toBe('GetCallerIdentity');
    expect(q.get('Version')).toBe('2011-06-15');
    expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(q.get('X-Amz-Credential')).toMatch(
      /^AKIAMAIN\/\d{8}\/us-east-1\/sts\/aws4_request$/,
    );
    expect(q.get('X-Amz-Date')).toMatch(/^\d{8}T\d{6}Z$/);
    expect(q.get('X-Amz-Expires')).toBe('60');
    expect(q.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    expect(q.has('X-Amz-Security-Token')).toBe(false);
    const headers = { host: url.host, 'x-k8s-aws-id': 'prod-eu' };
    expect(signatureValid(url, headers, 'main')).toBe(true);
    // The signature covers the cluster id: another cluster's fails.
    expect(
      signatureValid(url, { ...headers, 'x-k8s-aws-id': 'other' }, 'main'),
    ).toBe(false);
    expect(fromTemporaryCredentials).not.toHaveBeenCalled();
  });

  it("is the Kubernetes plugin's token but for X-Amz-Expires (60 s, not 0 s)", async () => {
    jest.useFakeTimers({ now: SIGNED_AT });
    let ours: string;
    try {
      ours = await source()({ type: 'aws', clusterId: 'prod-eu' });
    } finally {
      jest.useRealTimers();
    }
    const theirs = urlOf(KUBERNETES_PLUGIN_TOKEN);
    const headers = { host: theirs.host, 'x-k8s-aws-id': 'prod-eu' };
    // Both signatures hold (which also shows the check above is STS's).
    expect(signatureValid(theirs, headers, 'main')).toBe(true);
    expect(signatureValid(urlOf(ours), headers, 'main')).toBe(true);
    // Byte for byte the same URL (host, parameters, their order and
    // encoding) but for the expiry, and so the signature.
    const masked = (url: URL) =>
      url.href
        .replace(/X-Amz-Expires=\d+/, 'X-Amz-Expires=<s>')
        .replace(/X-Amz-Signature=[0-9a-f]{64}$/, 'X-Amz-Signature=<sig>');
    expect(masked(urlOf(ours))).toBe(masked(theirs));
    expect(theirs.searchParams.get('X-Amz-Expires')).toBe('0');
    expect(urlOf(ours).searchParams.get('X-Amz-Expires')).toBe('60');
  });

  it('signs for the region of AWS_REGION', async () => {
    process.env.AWS_REGION = 'eu-west-1';
    const url = urlOf(await source()({ type: 'aws', clusterId: 'prod-eu' }));
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(
      /^AKIAMAIN\/\d{8}\/eu-west-1\/sts\/aws4_request$/,
    );
  });

  it('assumes the role (with the external id) with the credentials of its account and signs as it', async () => {
    const token = await source()({
      type: 'aws',
      clusterId: 'prod-eu',
      assumeRole: ROLE,
      externalId: 'portal',
    });
    expect(fromTemporaryCredentials).toHaveBeenCalledTimes(1);
    const options = jest.mocked(fromTemporaryCredentials).mock.calls[0][0];
    expect(options.params).toEqual({ RoleArn: ROLE, ExternalId: 'portal' });
    expect(options.clientConfig).toEqual({ region: 'us-east-1' });
    const master = options.masterCredentials as () => Promise<object>;
    await expect(master()).resolves.toMatchObject({
      accessKeyId: 'AKIAACCOUNT',
    });

    const url = urlOf(token);
    const q = url.searchParams;
    expect(q.get('X-Amz-Credential')).toMatch(/^ASIATEMPORARY\//);
    expect(q.get('X-Amz-Security-Token')).toBe(mockTemporary.sessionToken);
    const headers = { host: url.host, 'x-k8s-aws-id': 'prod-eu' };
    expect(signatureValid(url, headers, mockTemporary.secretAccessKey)).toBe(
      true,
    );
  });
});
