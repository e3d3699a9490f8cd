import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createRegisterClusterAction } from './register';
import { FakeClusterRegistry } from './__testUtils__/FakeClusterRegistry';
import { taskState } from './__testUtils__/taskState';

type RegisterInput = Parameters<
  ReturnType<typeof createRegisterClusterAction>['handler']
>[0]['input'];

const alice = mockCredentials.user('user:default/alice');

describe('cluster-registry:register', () => {
  let registry: FakeClusterRegistry;
  let action: ReturnType<typeof createRegisterClusterAction>;

  beforeEach(() => {
    registry = new FakeClusterRegistry({
      categories: ['prod'],
      writers: ['user:default/alice'],
      unverifiableContexts: ['broken'],
    });
    action = createRegisterClusterAction({
      registry,
      appBaseUrl: 'http://portal',
    });
  });

  /**
   * One attempt of the step, started by alice unless told otherwise.
   * createMockActionContext runs checkpoints without keeping them and has
   * its own user, so both are set on the context it returns.
   */
  async function attempt(
    input: Partial<RegisterInput>,
    options: {
      secrets?: Record<string, string>;
      state?: ReturnType<typeof taskState>;
      credentials?: typeof alice;
    } = {},
  ) {
    const logger = mockServices.logger.mock();
    const ctx = {
      ...createMockActionContext({
        input: input as RegisterInput,
        secrets: options.secrets,
        logger,
      }),
      checkpoint: (options.state ?? taskState()).checkpoint,
      getInitiatorCredentials: async () => options.credentials ?? alice,
    };
    await action.handler(ctx);
    return {
      outputs: Object.fromEntries(jest.mocked(ctx.output).mock.calls),
      logger,
    };
  }

  const tokenStep = {
    method: 'token',
    name: 'prod-eu-1',
    serverUrl: 'https://10.0.0.1:6443',
    tokenSecret: 'clusterToken',
  } as const;

  it('takes the token from the task secret it names and acts as the initiating user', async () => {
    const { outputs, logger } = await attempt(tokenStep, {
      secrets: { clusterToken: 's3cret' },
    });

    expect(registry.calls).toEqual([
      {
        method: 'createCluster',
        request: expect.objectContaining({
          name: 'prod-eu-1',
          auth: { type: 'bearerToken', token: 's3cret' },
        }),
        credentials: alice,
      },
    ]);
    expect(registry.clusters.get('prod-eu-1')?.createdBy).toBe(
      'user:default/alice',
    );
    expect(outputs).toMatchObject({
      entityRef: 'resource:default/prod-eu-1',
      clusterUrl: 'http://portal/clusters/prod-eu-1',
    });
    expect(JSON.stringify(logger.info.mock.calls)).not.toContain('s3cret');
  });

  it('registers once per task: a retry returns the checkpointed names', async () => {
    const state = taskState();
    const secrets = { clusterToken: 's3cret' };
    const first = await attempt(tokenStep, { secrets, state });
    const retry = await attempt(tokenStep, { secrets, state });

    expect(registry.calls).toHaveLength(1);
    expect(state.keys()).toEqual(['cluster-registry-register-token-prod-eu-1']);
    expect(retry.outputs).toEqual(first.outputs);
    // Without the checkpoint the registry would refuse the second attempt.
    await expect(attempt(tokenStep, { secrets })).rejects.toMatchObject({
      name: 'ConflictError',
    });
  });

  it('applies the defaults itself: the scaffolder does not apply zod defaults', async () => {
    await attempt(
      { name: 'prod-eu-1', serverUrl: 'https://10.0.0.1:6443' },
      { secrets: { token: 't' } },
    );
    expect(registry.calls[0].request).toMatchObject({
      auth: { type: 'bearerToken', token: 't' },
      tls: { insecureSkipTlsVerify: false },
      skipVerification: false,
    });
  });

  it('registers through a proxy or an SSH bastion, their secrets from the task secrets it names', async () => {
    await attempt(
      {
        ...tokenStep,
        connection: {
          method: 'sshTunnel',
          sshHost: 'bastion.internal',
          sshUsername: 'tunnel',
          sshPrivateKeySecret: 'bastionKey',
          sshHostKeys: ['SHA256:abc'],
        },
        prometheusUrl: 'http://prometheus.internal:9090',
        prometheusThroughClusterConnection: true,
      } as Partial<RegisterInput>,
      { secrets: { clusterToken: 's3cret', bastionKey: 'KEY' } },
    );
    await attempt(
      {
        ...tokenStep,
        name: 'prod-eu-2',
        connection: {
          method: 'proxy',
          proxyUrl: 'http://proxy.internal:3128',
          proxyUsername: 'portal',
        },
      } as Partial<RegisterInput>,
      { secrets: { clusterToken: 's3cret', proxyPassword: 'pw' } },
    );
    expect(registry.calls.map(c => c.request)).toMatchObject([
      {
        connection: {
          method: 'sshTunnel',
          sshTunnel: {
            host: 'bastion.internal',
            port: 22,
            username: 'tunnel',
            privateKey: 'KEY',
            password: undefined,
            hostKeys: ['SHA256:abc'],
          },
        },
        prometheus: { throughClusterConnection: true },
      },
      {
        connection: {
          method: 'proxy',
          proxyUrl: 'http://proxy.internal:3128',
          username: 'portal',
          password: 'pw',
        },
      },
    ]);
  });

  it("refuses to send the user's own Backstage token as a credential", async () => {
    await expect(
      attempt(
        {
          ...tokenStep,
          connection: {
            method: 'proxy',
            proxyUrl: 'http://proxy.internal:3128',
            proxyUsername: 'portal',
            proxyPasswordSecret: 'backstageToken',
          },
        } as Partial<RegisterInput>,
        { secrets: { clusterToken: 's3cret', backstageToken: 'user-token' } },
      ),
    ).rejects.toThrow(/backstageToken/);
    await expect(
      attempt(
        { ...tokenStep, tokenSecret: 'backstageToken' },
        { secrets: { backstageToken: 'user-token' } },
      ),
    ).rejects.toThrow(/backstageToken/);
    expect(registry.calls).toHaveLength(0);
  });

  it('connects directly when the step names no connection method', async () => {
    await attempt({ ...tokenStep, connection: {} } as Partial<RegisterInput>, {
      secrets: { clusterToken: 's3cret' },
    });
    expect(registry.calls[0].request).toMatchObject({
      connection: { method: 'direct' },
    });
  });

  it('takes the Prometheus password from the task secret it names', async () => {
    await attempt(
      {
        ...tokenStep,
        prometheusUrl: 'https://prometheus.example.com',
        prometheusUsername: 'grafana',
        prometheusPasswordSecret: 'promPassword',
      },
      { secrets: { clusterToken: 't', promPassword: 'pw' } },
    );
    expect(registry.calls[0].request).toMatchObject({
      prometheus: {
        url: 'https://prometheus.example.com',
        auth: { type: 'basic', username: 'grafana', password: 'pw' },
      },
    });
  });

  it('fails without the named secret or a name, before calling the registry', async () => {
    await expect(attempt(tokenStep)).rejects.toThrow(
      "tokenSecret: no task secret named 'clusterToken'",
    );
    await expect(
      attempt({ method: 'isolated', name: undefined }),
    ).rejects.toThrow('name: is required');
    await expect(
      attempt({ method: 'kubeconfig', contexts: [{ context: 'a' }] }),
    ).rejects.toThrow("kubeconfigSecret: no task secret named 'kubeconfig'");
    await expect(
      attempt(
        { method: 'kubeconfig', contexts: [] },
        { secrets: { kubeconfig: 'apiVersion: v1' } },
      ),
    ).rejects.toThrow('contexts: pick at least one context');
    expect(registry.calls).toEqual([]);
  });

  it("passes the registry's errors on as they are", async () => {
    const secrets = { clusterToken: 't' };
    // The initiator's permissions apply, not the scaffolder's.
    await expect(
      attempt(tokenStep, {
        secrets,
        credentials: mockCredentials.user('user:default/bob'),
      }),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: 'not allowed: cluster-registry.cluster.create',
    });
    registry.seed({ name: 'taken', isolated: true });
    await expect(
      attempt({ ...tokenStep, name: 'taken' }, { secrets }),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: "name: a cluster named 'taken' already exists",
      fields: [
        { field: 'name', reason: "a cluster named 'taken' already exists" },
      ],
    });
    await expect(
      attempt({ ...tokenStep, category: 'nope' }, { secrets }),
    ).rejects.toMatchObject({
      name: 'InputError',
      fields: [{ field: 'category', reason: "unknown category 'nope'" }],
    });
    expect([...registry.clusters.keys()]).toEqual(['taken']);
  });

  it('imports kubeconfig contexts from the task secret; a failed context is logged, the others registered', async () => {
    const { outputs, logger } = await attempt(
      {
        method: 'kubeconfig',
        contexts: [
          { context: 'prod-eu', name: 'prod-eu-1' },
          { context: 'broken' },
        ],
        category: 'prod',
      },
      { secrets: { kubeconfig: 'apiVersion: v1' } },
    );

    expect(registry.calls).toEqual([
      {
        method: 'importKubeconfig',
        request: expect.objectContaining({
          kubeconfig: 'apiVersion: v1',
          category: 'prod',
        }),
        credentials: alice,
      },
    ]);
    expect(outputs.names).toEqual(['prod-eu-1']);
    expect(logger.error).toHaveBeenCalledWith(
      'broken not registered as broken: serverUrl: verification failed (tls): certificate signed by unknown authority',
    );
  });

  it('fails when no context could be registered, naming each', async () => {
    registry.seed({ name: 'prod-eu', isolated: true });
    await expect(
      attempt(
        {
          method: 'kubeconfig',
          contexts: [{ context: 'prod-eu' }, { context: 'broken' }],
        },
        { secrets: { kubeconfig: 'apiVersion: v1' } },
      ),
    ).rejects.toThrow(
      "no context registered: prod-eu: name: a cluster named 'prod-eu' already exists; broken: serverUrl: verification failed",
    );
  });

  it('registers an isolated cluster without credentials', async () => {
    await attempt({ method: 'isolated', name: 'vault', category: 'prod' });
    expect(registry.calls).toEqual([
      {
        method: 'createCluster',
        request: { name: 'vault', category: 'prod', isolated: true },
        credentials: alice,
      },
    ]);
  });
});
