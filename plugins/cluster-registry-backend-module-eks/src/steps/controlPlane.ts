import {
  Cluster,
  CreateClusterCommand,
  CreateClusterCommandInput,
  DeleteClusterCommand,
  DescribeClusterCommand,
} from '@aws-sdk/client-eks';
import {
  ProvisioningStepError,
  ProvisioningStepOutcome,
} from '@cluster-registry/plugin-cluster-registry-node';
import { isAwsError, stepErrorOf } from '../aws';
import { ownedBy } from '../tags';
import { StepContext } from './types';

/** How long EKS may take to make a control plane ACTIVE (it usually takes 10–15 minutes). */
const CREATE_DEADLINE_MS = 40 * 60_000;

/** The CreateCluster request of a spec and what earlier steps created. */
export function createClusterInput(s: StepContext): CreateClusterCommandInput {
  const { spec, resources } = s;
  const publicCidrs = spec.publicAccessCidrs?.length
    ? spec.publicAccessCidrs
    : ['0.0.0.0/0'];
  return {
    name: s.ctx.clusterName,
    version: spec.kubernetesVersion,
    roleArn: resources.clusterRoleArn,
    resourcesVpcConfig: {
      subnetIds: (resources.subnets ?? []).map(x => x.id),
      securityGroupIds: resources.securityGroupId
        ? [resources.securityGroupId]
        : undefined,
      endpointPublicAccess: spec.endpointPublicAccess,
      endpointPrivateAccess: spec.endpointPrivateAccess,
      publicAccessCidrs: spec.endpointPublicAccess ? publicCidrs : undefined,
    },
    accessConfig: {
      authenticationMode: spec.authenticationMode,
      // CONFIG_MAP needs the creator as admin (aws-auth is written as it);
      // in the API modes admins come from access entries, not from whoever
      // happened to create the cluster.
      bootstrapClusterCreatorAdminPermissions:
        spec.authenticationMode === 'CONFIG_MAP',
    },
    tags: s.tags,
    // The same token for every attempt of this request.
    clientRequestToken: s.owner,
  };
}

async function describe(s: StepContext): Promise<Cluster | undefined> {
  try {
    return (
      await s.clients.eks.send(
        new DescribeClusterCommand({ name: s.ctx.clusterName }),
      )
    ).cluster;
  } catch (e) {
    if (isAwsError(e, 'ResourceNotFoundException')) return undefined;
    throw stepErrorOf(
      e,
      `read EKS cluster ${s.ctx.clusterName} (eks:DescribeCluster)`,
    );
  }
}

/** The outputs and registration target of an ACTIVE cluster. */
function ready(s: StepContext, cluster: Cluster): ProvisioningStepOutcome {
  const endpoint = cluster.endpoint!;
  return {
    status: 'done',
    message: `ACTIVE at ${endpoint} (Kubernetes ${cluster.version})`,
    resources: { clusterArn: cluster.arn },
    outputs: {
      endpoint,
      arn: cluster.arn,
      oidcIssuer: cluster.identity?.oidc?.issuer,
      region: s.clients.region,
    },
  };
}

/**
 * Creates the control plane, or finds the one an earlier attempt created
 * (ours only: tagged with the request), then waits for ACTIVE, one look per
 * run of the task. FAILED, or no ACTIVE within 40 minutes, fails the step.
 */
export async function ensureControlPlane(
  s: StepContext,
): Promise<ProvisioningStepOutcome> {
  let cluster = await describe(s);
  if (cluster && !ownedBy(cluster.tags, s.owner))
    throw new ProvisioningStepError(
      `an EKS cluster named ${s.ctx.clusterName} already exists in ${s.clients.region} and was not created by this request`,
      { code: 'ResourceInUseException', hint: 'choose another name' },
    );
  const createdAt = s.resources.clusterCreatedAt ?? new Date().toISOString();
  if (!cluster) {
    try {
      cluster = (
        await s.clients.eks.send(
          new CreateClusterCommand(createClusterInput(s)),
        )
      ).cluster;
    } catch (e) {
      // Created by an attempt that did not live to record it: look again.
      if (isAwsError(e, 'ResourceInUseException'))
        return {
          status: 'wait',
          message: 'EKS says the cluster exists: looking again',
          checkAgainInMs: 1_000,
        };
      throw stepErrorOf(
        e,
        `create EKS cluster ${s.ctx.clusterName} (eks:CreateCluster)`,
      );
    }
  }
  const status = cluster?.status;
  if (
    status === 'ACTIVE' &&
    cluster?.endpoint &&
    cluster.certificateAuthority?.data
  )
    return ready(s, cluster);
  if (status === 'FAILED' || status === 'DELETING')
    throw new ProvisioningStepError(
      `EKS reports the control plane ${status}${
        cluster?.health?.issues?.length
          ? `: ${cluster.health.issues
              .map(i => `${i.code}: ${i.message}`)
              .join('; ')}`
          : ''
      }`,
      {
        code: status,
        hint: 'see the cluster in the EKS console; delete it here and create it again',
      },
    );
  if (Date.now() - Date.parse(createdAt) > CREATE_DEADLINE_MS)
    throw new ProvisioningStepError(
      `EKS has not made the control plane ACTIVE within ${
        CREATE_DEADLINE_MS / 60_000
      } minutes (it is ${status})`,
      {
        code: 'Timeout',
        hint: 'see the cluster in the EKS console; retry to keep waiting',
      },
    );
  return {
    status: 'wait',
    message: `EKS reports ${
      status ?? 'CREATING'
    } (this usually takes 10 to 15 minutes)`,
    checkAgainInMs: s.settings.pollIntervalSeconds * 1000,
    resources: { clusterCreatedAt: createdAt, clusterArn: cluster?.arn },
  };
}

/** The endpoint and CA of the ACTIVE cluster, for the access step and registration. */
export async function activeCluster(s: StepContext): Promise<Cluster> {
  const cluster = await describe(s);
  if (!cluster?.endpoint || !cluster.certificateAuthority?.data)
    throw new ProvisioningStepError(
      `EKS cluster ${s.ctx.clusterName} has no endpoint (it is ${
        cluster?.status ?? 'gone'
      })`,
      { retryable: true },
    );
  return cluster;
}

/** Deletes the control plane if it is ours and waits until EKS has removed it. */
export async function deleteControlPlane(
  s: StepContext,
): Promise<ProvisioningStepOutcome> {
  const cluster = await describe(s);
  if (!cluster)
    return {
      status: 'done',
      message: `EKS cluster ${s.ctx.clusterName} is gone`,
    };
  if (!ownedBy(cluster.tags, s.owner))
    throw new ProvisioningStepError(
      `EKS cluster ${s.ctx.clusterName} was not created by the portal's request: it is not deleted`,
      {
        code: 'NotOwned',
        hint: 'delete it at AWS yourself, or disconnect it here',
      },
    );
  if (cluster.status !== 'DELETING') {
    try {
      await s.clients.eks.send(
        new DeleteClusterCommand({ name: s.ctx.clusterName }),
      );
    } catch (e) {
      if (isAwsError(e, 'ResourceNotFoundException'))
        return {
          status: 'done',
          message: `EKS cluster ${s.ctx.clusterName} is gone`,
        };
      // "Cannot delete because cluster currently has an update in progress"
      if (isAwsError(e, 'ResourceInUseException'))
        return {
          status: 'wait',
          message: `EKS is busy with the cluster: ${(e as Error).message}`,
          checkAgainInMs: s.settings.pollIntervalSeconds * 1000,
        };
      throw stepErrorOf(
        e,
        `delete EKS cluster ${s.ctx.clusterName} (eks:DeleteCluster)`,
      );
    }
  }
  return {
    status: 'wait',
    message:
      'EKS is deleting the control plane (this usually takes a few minutes)',
    checkAgainInMs: 1_000,
  };
}
