import {
  AssociateAccessPolicyCommand,
  AssociateAccessPolicyCommandInput,
  CreateAccessEntryCommand,
  CreateAccessEntryCommandInput,
} from '@aws-sdk/client-eks';
import {
  ProvisionerKubeApi,
  ProvisioningStepError,
  ProvisioningStepOutcome,
} from '@cluster-registry/plugin-cluster-registry-node';
import { isAwsError, stepErrorOf } from '../aws';
import { withMappedRole } from '../awsAuth';
import { activeCluster } from './controlPlane';
import { StepContext } from './types';

/** The Kubernetes group the portal's reader role is mapped to in CONFIG_MAP mode. */
export const READERS_GROUP = 'cluster-registry:readers';
export const READERS_BINDING = 'cluster-registry-readers';
export const READER_USERNAME = 'cluster-registry-reader';

const VIEW_POLICY = 'AmazonEKSViewPolicy';
const ADMIN_POLICY = 'AmazonEKSClusterAdminPolicy';

/** The access entry and policy association that let `principalArn` in with `policy`. */
export function accessEntryRequests(
  s: Pick<StepContext, 'tags' | 'resources'> & { clusterName: string },
  principalArn: string,
  policy: typeof VIEW_POLICY | typeof ADMIN_POLICY,
): {
  entry: CreateAccessEntryCommandInput;
  association: AssociateAccessPolicyCommandInput;
} {
  const partition = s.resources.partition ?? 'aws';
  return {
    entry: {
      clusterName: s.clusterName,
      principalArn,
      type: 'STANDARD',
      tags: s.tags,
    },
    association: {
      clusterName: s.clusterName,
      principalArn,
      policyArn: `arn:${partition}:eks::aws:cluster-access-policy/${policy}`,
      accessScope: { type: 'cluster' },
    },
  };
}

async function grantByAccessEntry(
  s: StepContext,
  principalArn: string,
  policy: typeof VIEW_POLICY | typeof ADMIN_POLICY,
) {
  const { entry, association } = accessEntryRequests(
    { ...s, clusterName: s.ctx.clusterName },
    principalArn,
    policy,
  );
  try {
    await s.clients.eks.send(new CreateAccessEntryCommand(entry));
  } catch (e) {
    // Made by an earlier attempt (or by someone else: the association below still applies).
    if (!isAwsError(e, 'ResourceInUseException'))
      throw stepErrorOf(
        e,
        `create an access entry for ${principalArn} (eks:CreateAccessEntry)`,
      );
  }
  try {
    await s.clients.eks.send(new AssociateAccessPolicyCommand(association));
  } catch (e) {
    throw stepErrorOf(
      e,
      `give ${principalArn} ${policy} (eks:AssociateAccessPolicy)`,
    );
  }
}

/** Reads an answer of the new cluster's API; a 401/403 means the creator is not its admin. */
function checked(
  answer: { status: number; body: any },
  doing: string,
  ok: number[],
) {
  if (ok.includes(answer.status)) return answer;
  const reason =
    typeof answer.body === 'object'
      ? answer.body?.message
      : String(answer.body);
  const denied = answer.status === 401 || answer.status === 403;
  throw new ProvisioningStepError(
    `could not ${doing}: the API server answered ${answer.status}${
      reason ? `: ${reason}` : ''
    }`,
    {
      code: `HTTP ${answer.status}`,
      // A new endpoint's DNS and the creator's admin rights take a moment.
      retryable: !denied || answer.status === 401,
      hint: denied
        ? 'in CONFIG_MAP mode the identity that creates the cluster is its admin: check it is the one the portal creates with (clusterRegistry.providers.eks.roleArn)'
        : undefined,
    },
  );
}

/** Maps the reader role in kube-system/aws-auth and binds its group to `view`. */
async function grantByAwsAuth(api: ProvisionerKubeApi, readerRoleArn: string) {
  const binding = await api.request(
    'POST',
    '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: {
        name: READERS_BINDING,
        labels: {
          'app.kubernetes.io/managed-by': 'backstage-cluster-registry',
        },
      },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'view',
      },
      subjects: [
        {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'Group',
          name: READERS_GROUP,
        },
      ],
    },
  );
  checked(binding, `bind ${READERS_GROUP} to the view ClusterRole`, [201, 409]);

  const path = '/api/v1/namespaces/kube-system/configmaps/aws-auth';
  const entry = {
    rolearn: readerRoleArn,
    username: READER_USERNAME,
    groups: [READERS_GROUP],
  };
  const current = checked(
    await api.request('GET', path),
    'read kube-system/aws-auth',
    [200, 404],
  );
  if (current.status === 404) {
    const created = await api.request(
      'POST',
      '/api/v1/namespaces/kube-system/configmaps',
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'aws-auth', namespace: 'kube-system' },
        data: { mapRoles: withMappedRole(undefined, entry) },
      },
    );
    // 409: created meanwhile (EKS makes it for node groups): the next run merges.
    checked(created, 'create kube-system/aws-auth', [201]);
    return;
  }
  const configMap = current.body;
  const mapRoles = withMappedRole(configMap.data?.mapRoles, entry);
  if (mapRoles === undefined) return;
  const written = await api.request('PUT', path, {
    ...configMap,
    data: { ...configMap.data, mapRoles },
  });
  // 409: changed since it was read (resourceVersion): read and merge again.
  checked(written, 'update kube-system/aws-auth', [200]);
}

/**
 * Lets the portal's reader role read the cluster: an access entry with
 * AmazonEKSViewPolicy in the API modes (and cluster admin for the
 * configured admins), aws-auth mapRoles in CONFIG_MAP mode. Then tells the
 * registry where and as whom to reach the cluster.
 */
export async function ensureAccess(
  s: StepContext,
): Promise<ProvisioningStepOutcome> {
  const cluster = await activeCluster(s);
  const reader = s.settings.readerRoleArn;
  const target = {
    serverUrl: cluster.endpoint!.replace(/\/$/, ''),
    caData: cluster.certificateAuthority!.data!,
  };
  let message: string;
  if (s.spec.authenticationMode === 'CONFIG_MAP') {
    await grantByAwsAuth(
      s.ctx.kubernetes({
        ...target,
        // As the creator: the cluster's admin in this mode.
        auth: {
          type: 'aws',
          clusterId: s.ctx.clusterName,
          assumeRole: s.settings.roleArn,
        },
      }),
      reader,
    );
    message = `aws-auth maps ${reader} to ${READERS_GROUP} (view)`;
  } else {
    await grantByAccessEntry(s, reader, VIEW_POLICY);
    for (const admin of s.settings.adminPrincipalArns)
      await grantByAccessEntry(s, admin, ADMIN_POLICY);
    message = `access entry for ${reader} with ${VIEW_POLICY}${
      s.settings.adminPrincipalArns.length
        ? `; ${ADMIN_POLICY} for ${s.settings.adminPrincipalArns.join(', ')}`
        : ''
    }`;
  }
  return {
    status: 'done',
    message,
    resources: { awsAuthMapped: s.spec.authenticationMode === 'CONFIG_MAP' },
    registration: {
      ...target,
      auth: { type: 'aws', clusterId: s.ctx.clusterName, assumeRole: reader },
    },
  };
}
