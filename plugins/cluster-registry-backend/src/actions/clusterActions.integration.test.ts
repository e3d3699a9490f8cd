import { createServiceFactory } from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  acquireTestEnv,
  RunningTestEnv,
} from '@internal/cluster-registry-test-env';
import crypto from 'node:crypto';
import { clusterRegistryPlugin } from '../plugin';

jest.setTimeout(120_000);

async function startWithActions(
  result: AuthorizeResult.ALLOW | AuthorizeResult.DENY,
  auditor = mockServices.auditor.mock(),
) {
  const actions = actionsRegistryServiceMock();
  await startTestBackend({
    features: [
      clusterRegistryPlugin,
      auditor.factory,
      createServiceFactory({
        service: actionsRegistryServiceRef,
        deps: {},
        factory: () => actions,
      }),
      mockServices.permissions.factory({ result }),
      mockServices.rootConfig.factory({
        data: {
          clusterRegistry: {
            encryptionKey: crypto.randomBytes(32).toString('base64'),
            healthCheck: { intervalSeconds: 86400 },
          },
        },
      }),
    ],
  });
  return actions;
}

describe('cluster actions in the actions registry (for MCP clients)', () => {
  let running: RunningTestEnv;
  beforeAll(async () => {
    running = await acquireTestEnv({ kubeApiServers: 1 });
  });
  afterAll(() => running?.stop());

  it('registers (token as a secret, verified), lists with filters and gets', async () => {
    const api = running.env.kubeApiServers[0];
    const auditor = mockServices.auditor.mock();
    const actions = await startWithActions(AuthorizeResult.ALLOW, auditor);
    const credentials = mockCredentials.user('user:default/alice');

    const registered = await actions.invoke({
      id: 'test:register-cluster',
      input: {
        name: 'mcp-prod',
        category: 'prod',
        serverUrl: api.serverUrl,
        caData: api.caData,
      },
      secrets: { token: api.adminToken },
      credentials,
    });
    expect(registered.output).toMatchObject({
      cluster: {
        name: 'mcp-prod',
        state: 'running',
        kubernetesVersion: api.kubernetesVersion,
      },
    });
    expect(JSON.stringify(registered)).not.toContain(api.adminToken);
    await actions.invoke({
      id: 'test:register-cluster',
      input: { name: 'mcp-vault', isolated: true, category: 'qa' },
      secrets: {},
      credentials,
    });
    // One audit event per registration, naming the acting user, as over REST.
    const registrations = auditor.createEvent.mock.calls
      .map(([event]) => event)
      .filter(event => event.eventId === 'cluster-register');
    expect(registrations).toEqual([
      expect.objectContaining({
        meta: { cluster: 'mcp-prod', actor: 'user:default/alice' },
      }),
      expect.objectContaining({
        meta: { cluster: 'mcp-vault', actor: 'user:default/alice' },
      }),
    ]);

    const prod = await actions.invoke({
      id: 'test:list-clusters',
      input: { categories: ['prod'] },
      credentials,
    });
    expect(prod.output).toMatchObject({
      totalCount: 1,
      clusters: [{ name: 'mcp-prod', category: 'prod' }],
    });
    const got = await actions.invoke({
      id: 'test:get-cluster',
      input: { name: 'mcp-vault' },
      credentials,
    });
    expect(got.output).toMatchObject({
      cluster: {
        name: 'mcp-vault',
        isolated: true,
        createdBy: 'user:default/alice',
      },
    });

    await expect(
      actions.invoke({
        id: 'test:register-cluster',
        input: {
          name: 'mcp-bad',
          serverUrl: api.serverUrl,
          caData: api.caData,
        },
        secrets: { token: 'wrong' },
        credentials,
      }),
    ).rejects.toThrow(/auth: verification failed \(unauthorized\)/);
  });

  it('applies the same permissions as the REST API', async () => {
    const actions = await startWithActions(AuthorizeResult.DENY);
    const credentials = mockCredentials.user('user:default/bob');
    await expect(
      actions.invoke({ id: 'test:list-clusters', input: {}, credentials }),
    ).rejects.toThrow(/not allowed: cluster-registry.cluster.read/);
    await expect(
      actions.invoke({
        id: 'test:register-cluster',
        input: { name: 'nope', isolated: true },
        secrets: {},
        credentials,
      }),
    ).rejects.toThrow(/not allowed/);
  });
});
