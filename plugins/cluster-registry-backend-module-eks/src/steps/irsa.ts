import {
  CreateOpenIDConnectProviderCommand,
  DeleteOpenIDConnectProviderCommand,
  GetOpenIDConnectProviderCommand,
} from '@aws-sdk/client-iam';
import {
  ProvisioningStepError,
  ProvisioningStepOutcome,
} from '@cluster-registry/plugin-cluster-registry-node';
import { aws, isAwsError, stepErrorOf } from '../aws';
import { ownedBy, tagList } from '../tags';
import { activeCluster } from './controlPlane';
import { StepContext } from './types';

/** The ARN IAM gives the OIDC provider of an issuer. */
export function oidcProviderArn(
  partition: string,
  account: string,
  issuer: string,
) {
  return `arn:${partition}:iam::${account}:oidc-provider/${issuer.replace(
    /^https:\/\//,
    '',
  )}`;
}

/**
 * IAM roles for service accounts: an IAM OIDC provider for the cluster's
 * issuer with audience sts.amazonaws.com. No thumbprint is sent: IAM checks
 * EKS issuers against its own trusted CAs (the thumbprint is only a
 * fallback, and optional in the API).
 */
export async function ensureIrsa(
  s: StepContext,
): Promise<ProvisioningStepOutcome> {
  if (!s.spec.irsa) return { status: 'skipped', message: 'IRSA not requested' };
  const cluster = await activeCluster(s);
  const issuer = cluster.identity?.oidc?.issuer;
  if (!issuer)
    throw new ProvisioningStepError(
      'EKS reports no OIDC issuer for the cluster',
      { retryable: true },
    );
  const arn = oidcProviderArn(
    s.resources.partition ?? 'aws',
    s.resources.account!,
    issuer,
  );
  try {
    const existing = await s.clients.iam.send(
      new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }),
    );
    if (!ownedBy(existing.Tags, s.owner))
      throw new ProvisioningStepError(
        `IAM already has an OIDC provider for ${issuer} that the portal did not create`,
        {
          code: 'EntityAlreadyExists',
          hint: 'IRSA then works with that provider; create without IRSA, or delete it',
        },
      );
    return {
      status: 'done',
      message: `OIDC provider ${arn}`,
      resources: { oidcProviderArn: arn },
    };
  } catch (e) {
    if (e instanceof ProvisioningStepError) throw e;
    if (!isAwsError(e, 'NoSuchEntity'))
      throw stepErrorOf(
        e,
        'look for the OIDC provider (iam:GetOpenIDConnectProvider)',
      );
  }
  const created = await aws(
    () =>
      s.clients.iam.send(
        new CreateOpenIDConnectProviderCommand({
          Url: issuer,
          ClientIDList: ['sts.amazonaws.com'],
          Tags: tagList(s.tags),
        }),
      ),
    'create the OIDC provider (iam:CreateOpenIDConnectProvider)',
  );
  const made = created.OpenIDConnectProviderArn ?? arn;
  return {
    status: 'done',
    message: `OIDC provider ${made}`,
    resources: { oidcProviderArn: made },
  };
}

/** Deletes the OIDC provider the request created. */
export async function deleteIrsa(
  s: StepContext,
): Promise<ProvisioningStepOutcome> {
  const arn = s.resources.oidcProviderArn;
  if (!arn)
    return { status: 'skipped', message: 'no OIDC provider was created' };
  try {
    const existing = await s.clients.iam.send(
      new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }),
    );
    if (!ownedBy(existing.Tags, s.owner))
      return {
        status: 'skipped',
        message: `${arn} is not the portal's: left alone`,
      };
    await s.clients.iam.send(
      new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }),
    );
  } catch (e) {
    if (!isAwsError(e, 'NoSuchEntity'))
      throw stepErrorOf(
        e,
        'delete the OIDC provider (iam:DeleteOpenIDConnectProvider)',
      );
  }
  return { status: 'done', message: `deleted ${arn}` };
}
