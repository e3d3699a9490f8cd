import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { clusterReadPermission } from '@cluster-registry/plugin-cluster-registry-common';

/**
 * The demo portal's policy: the users and groups in `permission.admins` may do
 * everything in the cluster registry; everyone else may only read clusters.
 * Permissions of other plugins are allowed, as in a fresh Backstage app.
 */
export class DemoPortalPolicy implements PermissionPolicy {
  constructor(private readonly admins: Set<string>) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!request.permission.name.startsWith('cluster-registry.')) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (isPermission(request.permission, clusterReadPermission)) {
      return { result: AuthorizeResult.ALLOW };
    }
    const refs = [
      user?.info.userEntityRef,
      ...(user?.info.ownershipEntityRefs ?? []),
    ];
    return {
      result: refs.some(ref => ref && this.admins.has(ref))
        ? AuthorizeResult.ALLOW
        : AuthorizeResult.DENY,
    };
  }
}

export const demoPortalPermissionPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'demo-portal-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        const admins = config.getOptionalStringArray('permission.admins') ?? [];
        policy.setPolicy(new DemoPortalPolicy(new Set(admins)));
      },
    });
  },
});
