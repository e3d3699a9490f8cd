import { mockCredentials } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createAssignCategoryAction } from './assignCategory';
import { FakeClusterRegistry } from './__testUtils__/FakeClusterRegistry';

describe('cluster-registry:category:assign', () => {
  const run = (
    registry: FakeClusterRegistry,
    input: { clusters: string[]; category?: string },
  ) =>
    createAssignCategoryAction({ registry }).handler(
      createMockActionContext({ input }),
    );

  it("passes the registry's errors on as they are, naming the cluster or category", async () => {
    const registry = new FakeClusterRegistry({ categories: ['prod'] }).seed({
      name: 'prod-eu-1',
      isolated: true,
    });
    await expect(
      run(registry, { clusters: ['prod-eu-1', 'gone'], category: 'prod' }),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
      message: "name: no cluster named 'gone'",
    });
    // Assigning again is harmless, so a retried task needs no checkpoint.
    expect(registry.clusters.get('prod-eu-1')?.category).toBe('prod');
    await expect(
      run(registry, { clusters: ['prod-eu-1'], category: 'nope' }),
    ).rejects.toMatchObject({
      name: 'InputError',
      fields: [{ field: 'category', reason: "unknown category 'nope'" }],
    });
  });

  it("acts with the initiator's permissions", async () => {
    const registry = new FakeClusterRegistry({
      writers: ['user:default/alice'],
    }).seed({ name: 'prod-eu-1', isolated: true });
    await expect(
      run(registry, { clusters: ['prod-eu-1'], category: 'prod' }),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: 'not allowed: cluster-registry.cluster.update',
    });
    expect(registry.calls[0].credentials).toEqual(mockCredentials.user());
  });
});
