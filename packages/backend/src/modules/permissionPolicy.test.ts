import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  clusterConnectionUpdatePermission,
  clusterCreatePermission,
  clusterDeletePermission,
  clusterReadPermission,
  clusterUpdatePermission,
  categoryManagePermission,
} from '@cluster-registry/plugin-cluster-registry-common';
import { DemoPortalPolicy } from './permissionPolicy';

const user = (userEntityRef: string, groups: string[] = []) => ({
  identity: {
    type: 'user' as const,
    userEntityRef,
    ownershipEntityRefs: [userEntityRef, ...groups],
  },
  info: { userEntityRef, ownershipEntityRefs: [userEntityRef, ...groups] },
  token: 't',
  credentials: {} as any,
});

describe('DemoPortalPolicy', () => {
  const policy = new DemoPortalPolicy(
    new Set(['user:default/guest', 'group:default/admins']),
    [{ members: ['group:default/qa'], categories: ['qa'] }],
  );

  it('lets admins (by user or group) change the registry, everyone read it', async () => {
    const decide = async (p: any, u?: any) =>
      (await policy.handle({ permission: p }, u)).result;
    expect(
      await decide(clusterCreatePermission, user('user:default/guest')),
    ).toBe(AuthorizeResult.ALLOW);
    expect(
      await decide(
        categoryManagePermission,
        user('user:default/jo', ['group:default/admins']),
      ),
    ).toBe(AuthorizeResult.ALLOW);
    expect(await decide(clusterCreatePermission, user('user:default/jo'))).toBe(
      AuthorizeResult.DENY,
    );
    expect(await decide(categoryManagePermission, undefined)).toBe(
      AuthorizeResult.DENY,
    );
    expect(await decide(clusterReadPermission, user('user:default/jo'))).toBe(
      AuthorizeResult.ALLOW,
    );
    expect(
      await decide(
        { type: 'basic', name: 'catalog.entity.create', attributes: {} },
        user('user:default/jo'),
      ),
    ).toBe(AuthorizeResult.ALLOW);
  });

  it('gives a scoped team its categories and what its members own, as conditions', async () => {
    const qa = user('user:default/ann', ['group:default/QA']);
    const conditions = {
      anyOf: [
        {
          rule: 'IS_IN_CATEGORY',
          resourceType: 'cluster-registry-cluster',
          params: { categories: ['qa'] },
        },
        {
          rule: 'IS_CLUSTER_OWNER',
          resourceType: 'cluster-registry-cluster',
          params: { claims: ['user:default/ann', 'group:default/qa'] },
        },
      ],
    };
    for (const permission of [
      clusterReadPermission,
      clusterUpdatePermission,
      clusterDeletePermission,
    ]) {
      expect(await policy.handle({ permission }, qa)).toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'cluster-registry',
        resourceType: 'cluster-registry-cluster',
        conditions,
      });
    }
    // Registering is allowed; the registry checks the new cluster against
    // the update conditions (into qa only).
    expect(
      (await policy.handle({ permission: clusterCreatePermission }, qa)).result,
    ).toBe(AuthorizeResult.ALLOW);
    expect(
      (await policy.handle({ permission: categoryManagePermission }, qa))
        .result,
    ).toBe(AuthorizeResult.DENY);
    // Where a cluster's stored credential goes is for admins.
    expect(
      (
        await policy.handle(
          { permission: clusterConnectionUpdatePermission },
          qa,
        )
      ).result,
    ).toBe(AuthorizeResult.DENY);
  });

  it('lets everyone else edit the clusters they own only with permission.ownersEdit', async () => {
    expect(
      (
        await policy.handle(
          { permission: clusterUpdatePermission },
          user('user:default/jo'),
        )
      ).result,
    ).toBe(AuthorizeResult.DENY);
    const owners = new DemoPortalPolicy(new Set(), [], true);
    expect(
      await owners.handle(
        { permission: clusterUpdatePermission },
        user('user:default/jo'),
      ),
    ).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      conditions: {
        rule: 'IS_CLUSTER_OWNER',
        params: { claims: ['user:default/jo'] },
      },
    });
    expect(
      (
        await policy.handle(
          { permission: clusterDeletePermission },
          user('user:default/jo'),
        )
      ).result,
    ).toBe(AuthorizeResult.DENY);
  });
});
