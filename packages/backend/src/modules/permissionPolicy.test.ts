import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  clusterCreatePermission,
  clusterReadPermission,
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
});
