import { mockCredentials } from '@backstage/backend-test-utils';
import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import yaml from 'yaml';
import { createAssignCategoryAction } from './assignCategory';
import { examples } from './assignCategory.examples';
import { FakeClusterRegistry } from './__testUtils__/FakeClusterRegistry';
import { expectStepsOfAction } from './__testUtils__/examples';

type AssignInput = Parameters<
  ReturnType<typeof createAssignCategoryAction>['handler']
>[0]['input'];

describe('cluster-registry:category:assign examples', () => {
  let registry: FakeClusterRegistry;
  let action: ReturnType<typeof createAssignCategoryAction>;

  beforeEach(() => {
    registry = new FakeClusterRegistry({
      categories: ['prod', 'staging'],
    }).seed(
      { name: 'prod-eu-1', category: 'prod', isolated: true },
      { name: 'prod-eu-2', category: 'prod', isolated: true },
      { name: 'bank-airgap', category: 'prod', isolated: true },
    );
    action = createAssignCategoryAction({ registry });
  });

  async function run(example: TemplateExample) {
    const ctx = createMockActionContext({
      input: yaml.parse(example.example).steps[0].input as AssignInput,
    });
    await action.handler(ctx);
    return Object.fromEntries(jest.mocked(ctx.output).mock.calls);
  }

  it('has one test per example, each a valid step of this action', () => {
    expect(examples).toHaveLength(2);
    expectStepsOfAction(action, examples);
  });

  it('example 1: moves both clusters to the category', async () => {
    const outputs = await run(examples[0]);

    expect(registry.calls).toEqual(
      ['prod-eu-1', 'prod-eu-2'].map(name => ({
        method: 'updateCluster',
        name,
        request: { category: 'staging' },
        credentials: mockCredentials.user(),
      })),
    );
    expect(registry.clusters.get('prod-eu-1')?.category).toBe('staging');
    expect(registry.clusters.get('prod-eu-2')?.category).toBe('staging');
    expect(registry.clusters.get('bank-airgap')?.category).toBe('prod');
    expect(outputs).toEqual({ names: ['prod-eu-1', 'prod-eu-2'] });
  });

  it('example 2: an empty category clears it', async () => {
    const outputs = await run(examples[1]);

    expect(registry.calls).toEqual([
      {
        method: 'updateCluster',
        name: 'bank-airgap',
        request: { category: null },
        credentials: mockCredentials.user(),
      },
    ]);
    expect(registry.clusters.get('bank-airgap')?.category).toBeUndefined();
    expect(outputs).toEqual({ names: ['bank-airgap'] });
  });
});
