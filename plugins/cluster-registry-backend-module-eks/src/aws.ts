import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { AwsCredentialsManager } from '@backstage/integration-aws-node';
import { ProvisioningStepError } from '@cluster-registry/plugin-cluster-registry-node';

/** The AWS SDK clients of one region, signed as the portal's creating identity. */
export interface AwsClients {
  region: string;
  ec2: EC2Client;
  eks: EKSClient;
  iam: IAMClient;
  sts: STSClient;
}

/**
 * Clients per region, with the credentials of Backstage's `aws`
 * configuration (`@backstage/integration-aws-node`), or of `roleArn` assumed
 * with them. Endpoints are the SDK's: `AWS_ENDPOINT_URL` and
 * `AWS_ENDPOINT_URL_<SERVICE>` override them (VPC endpoints, FIPS).
 */
export class AwsClientFactory {
  private readonly cache = new Map<string, Promise<AwsClients>>();

  constructor(
    private readonly credentials: AwsCredentialsManager,
    private readonly roleArn?: string,
  ) {}

  forRegion(region: string): Promise<AwsClients> {
    let clients = this.cache.get(region);
    if (!clients) {
      clients = this.create(region);
      // A failure (STS unreachable) is not kept: the next step asks again.
      clients.catch(() => this.cache.delete(region));
      this.cache.set(region, clients);
    }
    return clients;
  }

  private async create(region: string): Promise<AwsClients> {
    const base = (await this.credentials.getCredentialProvider())
      .sdkCredentialProvider;
    const credentials = this.roleArn
      ? fromTemporaryCredentials({
          masterCredentials: base,
          clientConfig: { region },
          params: {
            RoleArn: this.roleArn,
            RoleSessionName: 'backstage-cluster-registry',
          },
        })
      : base;
    // A hung connection must not outlive the step's lease.
    const config = {
      region,
      credentials,
      maxAttempts: 3,
      requestHandler: { connectionTimeout: 10_000, requestTimeout: 30_000 },
    };
    return {
      region,
      ec2: new EC2Client(config),
      eks: new EKSClient(config),
      iam: new IAMClient(config),
      sts: new STSClient(config),
    };
  }
}

/** The account and partition the creating identity is in. */
export async function callerAccount(
  clients: AwsClients,
): Promise<{ account: string; partition: string; arn: string }> {
  const who = await aws(
    () => clients.sts.send(new GetCallerIdentityCommand({})),
    'learn the AWS account (sts:GetCallerIdentity)',
  );
  const partition = /^arn:([^:]+):/.exec(who.Arn ?? '')?.[1] ?? 'aws';
  return { account: who.Account!, partition, arn: who.Arn! };
}

/** An AWS SDK error's name, HTTP status and message. */
export interface AwsError {
  name: string;
  message: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
  Code?: string;
}

export function isAwsError(e: unknown, ...names: string[]): e is AwsError {
  const err = e as AwsError;
  return (
    typeof err?.name === 'string' &&
    (names.length === 0 ||
      names.includes(err.name) ||
      names.includes(err.Code ?? ''))
  );
}

/**
 * IAM changes take seconds to reach EKS: CreateCluster right after the role
 * was made may say the role cannot be assumed. The messages
 * terraform-provider-aws retries on.
 */
const PROPAGATION = [
  'does not exist',
  'Error in role params',
  'Role could not be assumed because the trusted entity is not correct',
  "The provided role doesn't have the Amazon EKS Managed Policies associated with it",
  "IAM role's policy must include",
];

const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ServiceUnavailableException',
  'ServiceUnavailable',
  'InternalFailure',
  'InternalError',
  'ServerException',
  'TimeoutError',
]);

/** Turns an AWS SDK failure into a step failure with what to do. */
export function stepErrorOf(
  error: unknown,
  doing: string,
): ProvisioningStepError {
  if (error instanceof ProvisioningStepError) return error;
  const e = error as AwsError & { code?: string };
  const name = e?.name ?? 'Error';
  const message = `could not ${doing}: ${name}: ${e?.message ?? error}`;
  const status = e?.$metadata?.httpStatusCode;
  const network = [
    'ECONNREFUSED',
    'ECONNRESET',
    'ETIMEDOUT',
    'EAI_AGAIN',
    'ENOTFOUND',
  ].includes(e?.code ?? '');
  if (
    network ||
    RETRYABLE_NAMES.has(name) ||
    (status !== undefined && status >= 500) ||
    (name === 'InvalidParameterException' &&
      PROPAGATION.some(p => e.message?.includes(p)))
  )
    return new ProvisioningStepError(message, {
      code: name,
      retryable: true,
      cause: error,
      hint: network
        ? 'the AWS API could not be reached from the portal; it is tried again'
        : 'AWS asked to try again later (or an IAM change is still propagating); it is tried again',
    });
  const denied =
    /AccessDenied|UnauthorizedOperation|UnrecognizedClient|InvalidClientTokenId|ExpiredToken/.test(
      name,
    );
  return new ProvisioningStepError(message, {
    code: name,
    cause: error,
    hint: denied
      ? "the portal's AWS identity lacks this permission: grant it (see the EKS module's README for the IAM policy), then retry"
      : 'fix the cause at AWS or in the request, then retry',
  });
}

/** Runs an AWS call, turning its failure into a step failure. */
export async function aws<T>(
  call: () => Promise<T>,
  doing: string,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw stepErrorOf(error, doing);
  }
}
