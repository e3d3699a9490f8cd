import { Sha256 } from '@aws-crypto/sha256-js';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { RootConfigService } from '@backstage/backend-plugin-api';
import {
  AwsCredentialProvider,
  DefaultAwsCredentialsManager,
} from '@backstage/integration-aws-node';
import { AwsClusterAuth } from '@cluster-registry/plugin-cluster-registry-common';
import { SignatureV4 } from '@smithy/signature-v4';

/** Mints the bearer token an EKS API server accepts for an AWS IAM cluster. */
export type AwsTokenSource = (auth: AwsClusterAuth) => Promise<string>;

type SdkCredentials = AwsCredentialProvider['sdkCredentialProvider'];

/** What the Kubernetes plugin (and the AWS SDK for STS) falls back to. */
const DEFAULT_REGION = 'us-east-1';
/**
 * How long the presigned URL claims to be valid: 60 s, as `aws eks get-token`
 * and aws-iam-authenticator sign it (the Kubernetes plugin signs 0 s). EKS
 * accepts a token for 15 minutes after its X-Amz-Date whatever this says.
 */
const EXPIRES_IN_SECONDS = 60;
const TOKEN_PREFIX = 'k8s-aws-v1.';

/**
 * Mints EKS tokens as the Kubernetes plugin's `aws` auth provider does
 * (`AwsIamStrategy` of `@backstage/plugin-kubernetes-backend`, a backend plugin
 * this one may not import), with the same credentials (the `aws` config of
 * `@backstage/integration-aws-node`, else the AWS SDK's default chain) and the
 * same optional role to assume: what verification finds is what the
 * Kubernetes tab will get.
 *
 * The token is `k8s-aws-v1.` + base64url (no padding) of a SigV4-presigned
 * `GET https://sts.<region>.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15`
 * whose signed headers include `x-k8s-aws-id: <cluster id>`. The EKS API
 * server makes that call to learn who the caller is. The region is
 * `AWS_REGION`, else us-east-1, and the regional endpoint is signed even then
 * (never the global sts.amazonaws.com). STS calls the SDK makes itself (to
 * assume the role, to learn the main account's id) honour the SDK's endpoint
 * settings such as `AWS_ENDPOINT_URL_STS`; the signed URL keeps the AWS host.
 */
export function awsTokenSourceFromConfig(
  config: RootConfigService,
): AwsTokenSource {
  const credentialsManager = DefaultAwsCredentialsManager.fromConfig(config);

  /**
   * The credentials to sign with, or to assume the role with: the configured
   * account of the role's ARN, else the main account. This is the fallback of
   * the Kubernetes plugin: a role in an account without `aws.accounts` entry
   * is assumed with the main account's credentials.
   */
  async function baseCredentials(assumeRole?: string): Promise<SdkCredentials> {
    if (assumeRole) {
      try {
        const provider = await credentialsManager.getCredentialProvider({
          arn: assumeRole,
        });
        return provider.sdkCredentialProvider;
      } catch (e) {
        // Any other failure (e.g. STS unreachable) is the caller's to report.
        const noSuchAccount =
          e instanceof Error &&
          e.message.includes('There is no AWS integration that matches');
        if (!noSuchAccount) throw e;
      }
    }
    return (await credentialsManager.getCredentialProvider())
      .sdkCredentialProvider;
  }

  return async ({ clusterId, assumeRole, externalId }) => {
    // Read per token, like the Kubernetes plugin: the environment may change.
    const region = process.env.AWS_REGION || DEFAULT_REGION;
    const base = await baseCredentials(assumeRole);
    // No RoleSessionName, as in the Kubernetes plugin: the SDK's default
    // `aws-sdk-js-<ms>` names the session.
    const credentials = assumeRole
      ? fromTemporaryCredentials({
          masterCredentials: base,
          clientConfig: { region },
          params: { RoleArn: assumeRole, ExternalId: externalId },
        })
      : base;

    const host = `sts.${region}.amazonaws.com`;
    const signer = new SignatureV4({
      credentials,
      region,
      service: 'sts',
      sha256: Sha256,
    });
    // Headers not starting with x-amz- stay headers and are signed: the
    // SignedHeaders are `host;x-k8s-aws-id`, so the token is bound to a
    // cluster. The X-Amz-* parameters (and a session token) land in the query.
    const signed = await signer.presign(
      {
        method: 'GET',
        protocol: 'https:',
        hostname: host,
        path: '/',
        query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
        headers: { host, 'x-k8s-aws-id': clusterId },
      },
      { expiresIn: EXPIRES_IN_SECONDS },
    );
    const query = Object.entries(signed.query ?? {})
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(`${v}`)}`)
      .join('&');
    const url = `https://${host}/?${query}`;
    return `${TOKEN_PREFIX}${Buffer.from(url).toString('base64url')}`;
  };
}
