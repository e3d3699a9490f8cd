import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { NotAllowedError } from '@backstage/errors';
import { ClusterRegistryService } from '@cluster-registry/plugin-cluster-registry-node';
import { createRegisterClusterAction } from './register';

function context(input: object, secrets: Record<string, string> = {}) {
  const checkpoints = new Map<string, unknown>();
  return {
    input,
    secrets,
    logger: mockServices.logger.mock(),
    output: jest.fn(),
    getInitiatorCredentials: async () =>
      mockCredentials.user('user:default/alice'),
    // Like the scaffolder: a key already done returns its stored result.
    checkpoint: async ({
      key,
      fn,
    }: {
      key: string;
      fn: () => Promise<unknown>;
    }) => {
      if (!checkpoints.has(key)) checkpoints.set(key, await fn());
      return checkpoints.get(key);
    },
  } as any;
}

describe('cluster-registry:register', () => {
  const created = { name: 'prod-eu-1', status: { state: 'running' } };
  const registry = {
    createCluster: jest.fn(async () => created),
    importKubeconfig: jest.fn(async (request: any) =>
      request.contexts.map((c: any) =>
        c.context === 'broken'
          ? {
              context: c.context,
              name: c.name ?? c.context,
              status: 'failed',
              error: {
                name: 'InputError',
                message: 'tls: verification failed',
              },
            }
          : {
              context: c.context,
              name: c.name ?? c.context,
              status: 'created',
            },
      ),
    ),
  } as unknown as jest.Mocked<ClusterRegistryService>;
  const action = createRegisterClusterAction({
    registry,
    appBaseUrl: 'http://portal',
  });

  beforeEach(() => registry.createCluster.mockClear());

  it('takes the token from the task secrets and acts as the initiating user, once per checkpoint', async () => {
    const ctx = context(
      {
        method: 'token',
        name: 'prod-eu-1',
        serverUrl: 'https://10.0.0.1:6443',
        tokenSecret: 'token',
        kubeconfigSecret: 'kubeconfig',
        prometheusPasswordSecret: 'prometheusPassword',
        insecureSkipTlsVerify: false,
        skipVerification: false,
      },
      { token: 's3cret' },
    );
    await action.handler(ctx);
    await action.handler(ctx); // a retried task
    expect(registry.createCluster).toHaveBeenCalledTimes(1);
    expect(registry.createCluster).toHaveBeenCalledWith(
      expect.objectContaining({
        name: 'prod-eu-1',
        auth: { type: 'bearerToken', token: 's3cret' },
      }),
      { credentials: mockCredentials.user('user:default/alice') },
    );
    expect(ctx.output).toHaveBeenCalledWith(
      'entityRef',
      'resource:default/prod-eu-1',
    );
    expect(ctx.output).toHaveBeenCalledWith(
      'clusterUrl',
      'http://portal/clusters/prod-eu-1',
    );
  });

  it('fails without the secret, and when the user may not register', async () => {
    const input = {
      method: 'token',
      name: 'x',
      serverUrl: 'https://10.0.0.1:6443',
      tokenSecret: 'token',
    };
    await expect(action.handler(context(input))).rejects.toThrow(
      "tokenSecret: no task secret named 'token'",
    );
    registry.createCluster.mockRejectedValueOnce(
      new NotAllowedError('not allowed: cluster-registry.cluster.create'),
    );
    await expect(
      action.handler(context(input, { token: 't' })),
    ).rejects.toThrow('not allowed');
  });

  it('imports kubeconfig contexts from the task secret; a failed context is logged, the others registered', async () => {
    const ctx = context(
      {
        method: 'kubeconfig',
        kubeconfigSecret: 'kubeconfig',
        contexts: [
          { context: 'prod-eu', name: 'prod-eu-1' },
          { context: 'broken' },
        ],
        category: 'prod',
        skipVerification: false,
      },
      { kubeconfig: 'apiVersion: v1' },
    );
    await action.handler(ctx);
    expect(registry.importKubeconfig).toHaveBeenCalledWith(
      expect.objectContaining({
        kubeconfig: 'apiVersion: v1',
        category: 'prod',
      }),
      { credentials: mockCredentials.user('user:default/alice') },
    );
    expect(ctx.output).toHaveBeenCalledWith('names', ['prod-eu-1']);
    expect(ctx.logger.error).toHaveBeenCalledWith(
      'broken not registered as broken: tls: verification failed',
    );
  });

  it('registers an isolated cluster without credentials', async () => {
    const ctx = context({
      method: 'isolated',
      name: 'vault',
      category: 'prod',
    });
    await action.handler(ctx);
    expect(registry.createCluster).toHaveBeenCalledWith(
      expect.objectContaining({
        name: 'vault',
        isolated: true,
        category: 'prod',
      }),
      expect.anything(),
    );
  });
});
