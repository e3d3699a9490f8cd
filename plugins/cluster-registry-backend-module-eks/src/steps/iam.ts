import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import {
  ProvisioningStepError,
  ProvisioningStepOutcome,
} from '@cluster-registry/plugin-cluster-registry-node';
import crypto from 'node:crypto';
import { aws, callerAccount, isAwsError, stepErrorOf } from '../aws';
import { ownedBy, tagList } from '../tags';
import { StepContext } from './types';

/** The policy the EKS control plane's role needs. */
export const CLUSTER_POLICY = 'AmazonEKSClusterPolicy';

/**
 * A role name of at most 64 characters, the same for every attempt of a
 * request: the cluster's name (shortened) and a hash of the request id.
 */
export function clusterRoleName(clusterName: string, requestId: string) {
  const hash = crypto
    .createHash('sha256')
    .update(requestId)
    .digest('hex')
    .slice(0, 8);
  // 4 + 43 + 9 + 8 = 64, IAM's limit for a role name.
  return `eks-${clusterName.slice(0, 43)}-cluster-${hash}`;
}

/** Trust for the EKS service (AssumeRole and TagSession, as EKS documents). */
const EKS_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
    },
  ],
});

/** The cluster role with AmazonEKSClusterPolicy: created, or adopted when it carries our tag. */
export async function ensureIam(
  s: StepContext,
): Promise<ProvisioningStepOutcome> {
  const { iam } = s.clients;
  const { account, partition } = s.resources.account
    ? {
        account: s.resources.account,
        partition: s.resources.partition ?? 'aws',
      }
    : await callerAccount(s.clients);
  const roleName = clusterRoleName(s.ctx.clusterName, s.owner);
  let roleArn: string;
  try {
    const created = await iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        AssumeRolePolicyDocument: EKS_TRUST,
        Description: `EKS control plane of ${s.ctx.clusterName} (Backstage cluster registry)`,
        Tags: tagList(s.tags),
      }),
    );
    roleArn = created.Role!.Arn!;
  } catch (e) {
    if (!isAwsError(e, 'EntityAlreadyExists'))
      throw stepErrorOf(e, `create IAM role ${roleName} (iam:CreateRole)`);
    const found = await aws(
      () => iam.send(new GetRoleCommand({ RoleName: roleName })),
      `read IAM role ${roleName} (iam:GetRole)`,
    );
    if (!ownedBy(found.Role?.Tags, s.owner))
      throw new ProvisioningStepError(
        `IAM role ${roleName} exists and was not created for this request`,
        {
          code: 'EntityAlreadyExists',
          hint: 'delete or rename that role, then retry',
        },
      );
    roleArn = found.Role!.Arn!;
  }
  const policyArn = `arn:${partition}:iam::aws:policy/${CLUSTER_POLICY}`;
  await aws(
    () =>
      iam.send(
        new AttachRolePolicyCommand({
          RoleName: roleName,
          PolicyArn: policyArn,
        }),
      ),
    `attach ${CLUSTER_POLICY} to ${roleName} (iam:AttachRolePolicy)`,
  );
  return {
    status: 'done',
    message: `role ${roleName} with ${CLUSTER_POLICY}`,
    resources: {
      account,
      partition,
      clusterRoleName: roleName,
      clusterRoleArn: roleArn,
    },
  };
}

/** Detaches the role's policies and deletes it, if it is ours. */
export async function deleteIam(
  s: StepContext,
): Promise<ProvisioningStepOutcome> {
  const { iam } = s.clients;
  const roleName =
    s.resources.clusterRoleName ?? clusterRoleName(s.ctx.clusterName, s.owner);
  let role;
  try {
    role = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
  } catch (e) {
    if (isAwsError(e, 'NoSuchEntity'))
      return { status: 'done', message: `role ${roleName} is gone` };
    throw stepErrorOf(e, `read IAM role ${roleName} (iam:GetRole)`);
  }
  if (!ownedBy(role?.Tags, s.owner))
    return {
      status: 'skipped',
      message: `role ${roleName} is not the portal's: left alone`,
    };
  const attached = await aws(
    () => iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName })),
    `list the policies of ${roleName} (iam:ListAttachedRolePolicies)`,
  );
  for (const p of attached.AttachedPolicies ?? [])
    await aws(
      () =>
        iam.send(
          new DetachRolePolicyCommand({
            RoleName: roleName,
            PolicyArn: p.PolicyArn,
          }),
        ),
      `detach ${p.PolicyName} from ${roleName} (iam:DetachRolePolicy)`,
    );
  try {
    await iam.send(new DeleteRoleCommand({ RoleName: roleName }));
  } catch (e) {
    if (!isAwsError(e, 'NoSuchEntity'))
      throw stepErrorOf(e, `delete IAM role ${roleName} (iam:DeleteRole)`);
  }
  return { status: 'done', message: `deleted role ${roleName}` };
}
