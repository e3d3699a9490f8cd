import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import yaml from 'yaml';
import { createRegisterClusterAction } from './register';
import { examples } from './register.examples';
import { FakeClusterRegistry } from './__testUtils__/FakeClusterRegistry';
import { expectStepsOfAction } from './__testUtils__/examples';

type RegisterInput = Parameters<
  ReturnType<typeof createRegisterClusterAction>['handler']
>[0]['input'];

/**
 * The example's first step input, with `${{ parameters.x }}` replaced by the
 * given parameters as the scaffolder would render them.
 */
function exampleInput(
  example: TemplateExample,
  parameters: Record<string, unknown> = {},
): RegisterInput {
  const render = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const match = value.match(/^\$\{\{\s*parameters\.(\w+)\s*\}\}$/);
      if (!match) return value;
      if (!(match[1] in parameters))
        throw new Error(`the test gives no parameter ${match[1]}`);
      return parameters[match[1]];
    }
    if (Array.isArray(value)) return value.map(render);
    if (value && typeof value === 'object')
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, render(v)]),
      );
    return value;
  };
  return render(yaml.parse(example.example).steps[0].input) as RegisterInput;
}

describe('cluster-registry:register examples', () => {
  let registry: FakeClusterRegistry;
  let action: ReturnType<typeof createRegisterClusterAction>;

  beforeEach(() => {
    registry = new FakeClusterRegistry({ categories: ['prod', 'staging'] });
    action = createRegisterClusterAction({
      registry,
      appBaseUrl: 'http://portal',
    });
  });

  /** Runs the example's step as the task's initiator (createMockActionContext's user). */
  async function run(
    example: TemplateExample,
    options: {
      parameters?: Record<string, unknown>;
      secrets?: Record<string, string>;
    } = {},
  ) {
    const logger = mockServices.logger.mock();
    const ctx = createMockActionContext({
      input: exampleInput(example, options.parameters),
      secrets: options.secrets,
      logger,
    });
    await action.handler(ctx);
    const outputs = Object.fromEntries(jest.mocked(ctx.output).mock.calls);
    const logged = JSON.stringify(
      [logger.debug, logger.info, logger.warn, logger.error].map(
        fn => fn.mock.calls,
      ),
    );
    return { outputs, logged };
  }

  it('has one test per example, each a valid step of this action', () => {
    expect(examples).toHaveLength(4);
    expectStepsOfAction(action, examples);
  });

  it('example 1: registers by server URL and the token from the named secret', async () => {
    const parameters = {
      name: 'prod-eu-1',
      title: 'Production EU 1',
      owner: 'group:default/platform',
      caData: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t',
    };
    const { outputs, logged } = await run(examples[0], {
      parameters,
      secrets: { token: 's3cret-token' },
    });

    expect(registry.calls).toEqual([
      {
        method: 'createCluster',
        request: {
          name: 'prod-eu-1',
          title: 'Production EU 1',
          category: 'prod',
          owner: 'group:default/platform',
          serverUrl: 'https://10.0.0.1:6443',
          auth: { type: 'bearerToken', token: 's3cret-token' },
          tls: { caData: parameters.caData, insecureSkipTlsVerify: false },
          skipVerification: false,
        },
        credentials: mockCredentials.user(),
      },
    ]);
    expect(registry.clusters.get('prod-eu-1')).toMatchObject({
      createdBy: mockCredentials.user().principal.userEntityRef,
      status: { state: 'running' },
    });
    expect(outputs).toEqual({
      names: ['prod-eu-1'],
      entityRefs: ['resource:default/prod-eu-1'],
      clusterUrls: ['http://portal/clusters/prod-eu-1'],
      name: 'prod-eu-1',
      entityRef: 'resource:default/prod-eu-1',
      clusterUrl: 'http://portal/clusters/prod-eu-1',
    });
    expect(logged).toContain('registered prod-eu-1: running');
    expect(logged).not.toContain('s3cret-token');
  });

  it('example 2: imports the picked kubeconfig contexts from the named secret', async () => {
    const kubeconfig = 'apiVersion: v1\nkind: Config\n';
    const { outputs, logged } = await run(examples[1], {
      secrets: { kubeconfig },
    });

    expect(registry.calls).toEqual([
      {
        method: 'importKubeconfig',
        request: {
          kubeconfig,
          contexts: [
            { context: 'prod-eu', name: 'prod-eu-1' },
            { context: 'prod-us' },
          ],
          category: 'prod',
          skipVerification: false,
        },
        credentials: mockCredentials.user(),
      },
    ]);
    expect([...registry.clusters.keys()]).toEqual(['prod-eu-1', 'prod-us']);
    expect(outputs).toEqual({
      names: ['prod-eu-1', 'prod-us'],
      entityRefs: ['resource:default/prod-eu-1', 'resource:default/prod-us'],
      clusterUrls: [
        'http://portal/clusters/prod-eu-1',
        'http://portal/clusters/prod-us',
      ],
      name: 'prod-eu-1',
      entityRef: 'resource:default/prod-eu-1',
      clusterUrl: 'http://portal/clusters/prod-eu-1',
    });
    expect(logged).toContain('registered prod-eu as prod-eu-1');
    expect(logged).toContain('registered prod-us as prod-us');
    expect(logged).not.toContain('kind: Config');
  });

  it('example 3: registers through an SSH bastion, the key from the named secret', async () => {
    const key =
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbg==\n-----END OPENSSH PRIVATE KEY-----';
    const { logged } = await run(examples[2], {
      parameters: { name: 'prod-private', caData: 'LS0t' },
      secrets: { token: 's3cret-token', sshPrivateKey: key },
    });

    expect(registry.calls[0].request).toMatchObject({
      name: 'prod-private',
      serverUrl: 'https://api.private.internal:6443',
      connection: {
        method: 'sshTunnel',
        sshTunnel: {
          host: 'bastion.example.com',
          port: 22,
          username: 'portal',
          privateKey: key,
        },
      },
      prometheus: {
        url: 'http://prometheus.private.internal:9090',
        throughClusterConnection: true,
      },
    });
    expect(logged).not.toContain('OPENSSH PRIVATE KEY');
  });

  it('example 4: registers an isolated cluster', async () => {
    const { outputs } = await run(examples[3]);

    expect(registry.calls).toEqual([
      {
        method: 'createCluster',
        request: {
          name: 'bank-airgap',
          category: 'prod',
          description: "Air-gapped cluster in the bank's data centre",
          isolated: true,
        },
        credentials: mockCredentials.user(),
      },
    ]);
    expect(registry.clusters.get('bank-airgap')).toMatchObject({
      isolated: true,
      status: { state: 'isolated' },
    });
    expect(outputs).toMatchObject({
      names: ['bank-airgap'],
      entityRef: 'resource:default/bank-airgap',
      clusterUrl: 'http://portal/clusters/bank-airgap',
    });
  });
});
