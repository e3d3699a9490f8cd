import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  AuthorizeResult,
  isPermission,
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  CLUSTER_RESOURCE_TYPE,
  clusterConnectionUpdatePermission,
  clusterCreatePermission,
  clusterDeprovisionPermission,
  clusterReadPermission,
  clusterUpdatePermission,
} from '@cluster-registry/plugin-cluster-registry-common';
import {
  clusterConditions,
  createClusterConditionalDecision,
} from '@cluster-registry/plugin-cluster-registry-node';

/** A team that manages some categories of clusters (`permission.clusterScopes`). */
export interface ClusterScope {
  /** Users and groups of the team, as entity references. */
  members: string[];
  categories: string[];
}

/**
 * The demo portal's policy for the cluster registry:
 * - `permission.admins` (users and groups) may do everything;
 * - a member of a `permission.clusterScopes` team sees and manages only the
 *   clusters in the team's categories and those they own: registers into
 *   those categories, edits, refreshes and disconnects them, but does not
 *   change their TLS trust or connection (where the stored credential is
 *   sent; rotating the credential is theirs), and neither creates clusters
 *   at a provider nor deletes them there; nothing else;
 * - everyone else reads every cluster and changes none (an edit may point a
 *   cluster's stored credential at another address: not for every owner).
 *   With `permission.ownersEdit`, they edit the clusters they own.
 * Permissions of other plugins are allowed, as in a fresh Backstage app.
 */
export class DemoPortalPolicy implements PermissionPolicy {
  constructor(
    private readonly admins: Set<string>,
    private readonly scopes: ClusterScope[] = [],
    private readonly ownersEdit = false,
  ) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    if (!permission.name.startsWith('cluster-registry.')) {
      return { result: AuthorizeResult.ALLOW };
    }
    const claims = [
      ...new Set(
        [user?.info.userEntityRef, ...(user?.info.ownershipEntityRefs ?? [])]
          .filter((ref): ref is string => Boolean(ref))
          .map(ref => ref.toLocaleLowerCase('en-US')),
      ),
    ];
    const isIn = (refs: string[]) =>
      refs.some(ref => claims.includes(ref.toLocaleLowerCase('en-US')));
    if (isIn([...this.admins])) return { result: AuthorizeResult.ALLOW };
    const owned = clusterConditions.isClusterOwner({ claims });

    const categories = this.scopes
      .filter(scope => isIn(scope.members))
      .flatMap(scope => scope.categories);
    if (categories.length) {
      if (isPermission(permission, clusterCreatePermission))
        return { result: AuthorizeResult.ALLOW };
      // TLS trust and connection decide where a cluster's stored credential
      // goes: admins only (a team rotates the credential to give its own).
      if (isPermission(permission, clusterConnectionUpdatePermission))
        return { result: AuthorizeResult.DENY };
      // Deleting at AWS destroys what others may depend on: admins only.
      if (isPermission(permission, clusterDeprovisionPermission))
        return { result: AuthorizeResult.DENY };
      if (isResourcePermission(permission, CLUSTER_RESOURCE_TYPE))
        return createClusterConditionalDecision(permission, {
          anyOf: [clusterConditions.isInCategory({ categories }), owned],
        });
      return { result: AuthorizeResult.DENY };
    }

    if (isPermission(permission, clusterReadPermission))
      return { result: AuthorizeResult.ALLOW };
    if (
      this.ownersEdit &&
      isPermission(permission, clusterUpdatePermission) &&
      claims.length
    )
      return createClusterConditionalDecision(permission, owned);
    return { result: AuthorizeResult.DENY };
  }
}

/** `permission.clusterScopes` of the app config. */
export function readClusterScopes(config: Config): ClusterScope[] {
  return (config.getOptionalConfigArray('permission.clusterScopes') ?? []).map(
    scope => ({
      members: scope.getStringArray('members'),
      categories: scope.getStringArray('categories'),
    }),
  );
}

export const demoPortalPermissionPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'demo-portal-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        const admins = config.getOptionalStringArray('permission.admins') ?? [];
        policy.setPolicy(
          new DemoPortalPolicy(
            new Set(admins),
            readClusterScopes(config),
            config.getOptionalBoolean('permission.ownersEdit') ?? false,
          ),
        );
      },
    });
  },
});
