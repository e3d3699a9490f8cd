import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  PermissionCriteria,
  PolicyDecision,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  createConditionTransformer,
  PermissionRuleset,
} from '@backstage/plugin-permission-node';
import {
  ClusterPermissionQuery,
  ClusterPermissionResource,
} from '@cluster-registry/plugin-cluster-registry-node';
import { CLUSTER_RESOURCE_TYPE } from '@cluster-registry/plugin-cluster-registry-common';

type ClusterPermission = ResourcePermission<typeof CLUSTER_RESOURCE_TYPE>;

/**
 * What the policy answered a caller for a cluster permission: every
 * cluster, or those that pass `allows` (which the store also applies as a
 * where clause, `criteria`). A denial is a 403 before any cluster is read.
 */
export interface ClusterDecision {
  actor: string;
  /** Undefined when every cluster is allowed. */
  criteria?: PermissionCriteria<ClusterPermissionQuery>;
  allows(cluster: ClusterPermissionResource): boolean;
}

/** Who the caller is, for createdBy/updatedBy and the audit event. */
export function actorOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as
    | { type: 'user'; userEntityRef: string }
    | { type: 'service'; subject: string };
  return principal.type === 'user'
    ? principal.userEntityRef
    : `service:${principal.subject}`;
}

/**
 * Asks the permission framework, whichever way the caller came in (HTTP or
 * the actions registry). Conditional decisions on a cluster are applied
 * here, to a record already read (one cluster) or as a filter of the query
 * (lists), never by a round trip through the permission backend.
 */
export class ClusterAuthorizer {
  private readonly applies: (
    decision: PolicyDecision,
    resource: ClusterPermissionResource | undefined,
  ) => boolean;
  private readonly toQuery: ReturnType<
    typeof createConditionTransformer<ClusterPermissionQuery>
  >;

  constructor(
    private readonly permissions: PermissionsService,
    ruleset: PermissionRuleset<
      ClusterPermissionResource,
      ClusterPermissionQuery,
      typeof CLUSTER_RESOURCE_TYPE
    >,
  ) {
    this.applies = createConditionAuthorizer(ruleset);
    this.toQuery = createConditionTransformer(ruleset);
  }

  /** A basic permission: allowed, or a 403. Returns the actor. */
  async basic(
    credentials: BackstageCredentials,
    permission: BasicPermission,
  ): Promise<string> {
    const [decision] = await this.permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW)
      throw new NotAllowedError(`not allowed: ${permission.name}`);
    return actorOf(credentials);
  }

  /**
   * The caller's decision for a cluster permission; a 403 if the policy
   * allows them no cluster at all.
   */
  async decide(
    credentials: BackstageCredentials,
    permission: ClusterPermission,
  ): Promise<ClusterDecision> {
    const [decision] = await this.permissions.authorizeConditional(
      [{ permission }],
      { credentials },
    );
    const actor = actorOf(credentials);
    if (decision.result === AuthorizeResult.ALLOW)
      return { actor, allows: () => true };
    if (decision.result !== AuthorizeResult.CONDITIONAL)
      throw new NotAllowedError(`not allowed: ${permission.name}`);
    return {
      actor,
      criteria: this.toQuery(decision.conditions),
      allows: cluster => this.applies(decision, cluster),
    };
  }

  /** Like `decide`, but undefined where the policy denies. */
  async tryDecide(
    credentials: BackstageCredentials,
    permission: ClusterPermission,
  ): Promise<ClusterDecision | undefined> {
    try {
      return await this.decide(credentials, permission);
    } catch (e) {
      if (e instanceof NotAllowedError) return undefined;
      throw e;
    }
  }
}
