import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createEksClusterAction } from './createEks';
import { FakeClusterRegistry } from './__testUtils__/FakeClusterRegistry';
import { taskState } from './__testUtils__/taskState';

type Input = Parameters<
  ReturnType<typeof createEksClusterAction>['handler']
>[0]['input'];

const alice = mockCredentials.user('user:default/alice');

const step: Input = {
  name: 'payments-qa',
  category: 'qa',
  region: 'eu-west-1',
  vpcCidr: '10.20.0.0/16',
  kubernetesVersion: '1.34',
  authenticationMode: 'API',
  team: '',
  availabilityZones: ['', ''],
};

describe('cluster-registry:eks:create', () => {
  let registry: FakeClusterRegistry;
  let action: ReturnType<typeof createEksClusterAction>;
  beforeEach(() => {
    registry = new FakeClusterRegistry({ categories: ['qa'] });
    action = createEksClusterAction({
      registry,
      appBaseUrl: 'http://portal',
      pollIntervalMs: 1,
    });
  });

  async function attempt(
    input: Partial<Input>,
    state = taskState(),
    taskId = 'task-1',
  ) {
    const logger = mockServices.logger.mock();
    const base = createMockActionContext({
      input: { ...step, ...input } as Input,
      logger,
    });
    const ctx = {
      ...base,
      task: { ...base.task, id: taskId },
      checkpoint: state.checkpoint,
      getInitiatorCredentials: async () => alice,
    };
    await action.handler(ctx);
    return {
      outputs: Object.fromEntries(jest.mocked(ctx.output).mock.calls),
      logger,
    };
  }

  it('submits as the initiating user and answers with the name and page at once', async () => {
    const { outputs } = await attempt({});
    expect(registry.calls).toEqual([
      {
        method: 'provisionCluster',
        name: 'payments-qa',
        credentials: alice,
        request: {
          name: 'payments-qa',
          category: 'qa',
          provider: 'eks',
          idempotencyKey: 'scaffolder:task-1:payments-qa',
          // Empty template values are not sent.
          eks: {
            region: 'eu-west-1',
            vpcCidr: '10.20.0.0/16',
            kubernetesVersion: '1.34',
            authenticationMode: 'API',
          },
        },
      },
    ]);
    expect(outputs).toEqual({
      name: 'payments-qa',
      requestId: 'req-payments-qa',
      clusterUrl: 'http://portal/clusters/payments-qa',
      entityRef: 'resource:default/payments-qa',
    });
  });

  it('never creates twice: a retry uses the checkpoint, a recovered task the idempotency key', async () => {
    const state = taskState();
    await attempt({}, state);
    await attempt({}, state);
    expect(registry.calls).toHaveLength(1);
    // Checkpoints lost (a task recovered elsewhere): the registry answers
    // the same task's key with the request it already has.
    const { outputs } = await attempt({});
    expect(registry.calls).toHaveLength(2);
    expect(registry.clusters.size).toBe(1);
    expect(outputs.requestId).toBe('req-payments-qa');
  });

  it('waits until the cluster runs and outputs its endpoint, ARN and issuer', async () => {
    registry.progress.set('payments-qa', [
      {
        currentStep: 'network',
        steps: [{ id: 'network', title: 'Network', state: 'running' }],
      },
      {
        currentStep: 'control-plane',
        steps: [
          {
            id: 'control-plane',
            title: 'EKS control plane',
            state: 'running',
            message: 'EKS reports CREATING',
          },
        ],
      },
      {
        state: 'succeeded',
        outputs: {
          endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
          arn: 'arn:aws:eks:eu-west-1:1:cluster/payments-qa',
          oidcIssuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABC',
        },
      },
    ]);
    const { outputs, logger } = await attempt({ waitUntilReady: true });
    expect(outputs).toMatchObject({
      endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
      arn: 'arn:aws:eks:eu-west-1:1:cluster/payments-qa',
      oidcIssuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABC',
    });
    expect(logger.info).toHaveBeenCalledWith(
      'EKS control plane: EKS reports CREATING',
    );
  });

  it("fails with the failed step, AWS's error and what to do", async () => {
    registry.progress.set('payments-qa', [
      {
        state: 'failed',
        steps: [
          {
            id: 'control-plane',
            title: 'EKS control plane',
            state: 'failed',
            error: {
              message:
                'could not create EKS cluster payments-qa: AccessDeniedException: denied',
              hint: 'grant it, then retry',
            },
          },
        ],
      },
    ]);
    await expect(attempt({ waitUntilReady: true })).rejects.toThrow(
      'EKS cluster payments-qa: "EKS control plane" failed: could not create EKS cluster payments-qa: AccessDeniedException: denied (grant it, then retry); see http://portal/clusters/payments-qa',
    );
  });
});
