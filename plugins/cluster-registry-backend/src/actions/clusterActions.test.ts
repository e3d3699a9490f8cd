import { createServiceFactory } from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
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
          app: { baseUrl: 'http://portal.example' },
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
  it('registers isolated clusters, hands back a link for the rest, assigns categories, refreshes, lists and gets', async () => {
    const auditor = mockServices.auditor.mock();
    const actions = await startWithActions(AuthorizeResult.ALLOW, auditor);
    const credentials = mockCredentials.user('user:default/alice');

    const vault = await actions.invoke({
      id: 'test:register-cluster',
      input: { name: 'mcp-vault', isolated: true, category: 'qa' },
      credentials,
    });
    expect(vault.output).toMatchObject({
      registered: true,
      cluster: { name: 'mcp-vault', state: 'isolated', category: 'qa' },
    });

    // A cluster with an endpoint needs a credential: no agent handles it.
    const withEndpoint = await actions.invoke({
      id: 'test:register-cluster',
      input: {
        name: 'mcp-prod',
        category: 'prod',
        serverUrl: 'https://10.0.0.5:6443',
        labels: { region: 'eu' },
      },
      credentials,
    });
    expect(withEndpoint.output).toMatchObject({ registered: false });
    const link = new URL((withEndpoint.output as any).completeAt);
    expect(link.origin + link.pathname).toBe(
      'http://portal.example/clusters/register',
    );
    expect(Object.fromEntries(link.searchParams)).toEqual({
      name: 'mcp-prod',
      category: 'prod',
      serverUrl: 'https://10.0.0.5:6443',
      labels: 'region=eu',
    });
    // Through a bastion: the link says how, never with a secret.
    const viaBastion = await actions.invoke({
      id: 'test:register-cluster',
      input: {
        name: 'mcp-private',
        serverUrl: 'https://api.private.example:6443',
        connection: {
          method: 'sshTunnel',
          sshHost: 'bastion.example',
          sshPort: 2222,
          sshUsername: 'ops',
          sshHostKeys: [`SHA256:${'e'.repeat(43)}`],
        },
      },
      credentials,
    });
    expect(
      Object.fromEntries(
        new URL((viaBastion.output as any).completeAt).searchParams,
      ),
    ).toEqual({
      name: 'mcp-private',
      serverUrl: 'https://api.private.example:6443',
      connectionMethod: 'sshTunnel',
      sshHost: 'bastion.example',
      sshPort: '2222',
      sshUsername: 'ops',
      sshHostKeys: `SHA256:${'e'.repeat(43)}`,
    });
    // The connection is checked like a registration's too.
    await expect(
      actions.invoke({
        id: 'test:register-cluster',
        input: {
          name: 'mcp-proxy',
          serverUrl: 'https://10.0.0.5:6443',
          connection: { method: 'proxy', proxyUrl: 'ftp://proxy.example' },
        },
        credentials,
      }),
    ).rejects.toThrow(/connection.proxyUrl: /);

    // Checked like a registration: a refused address gives no link.
    await expect(
      actions.invoke({
        id: 'test:register-cluster',
        input: { name: 'mcp-meta', serverUrl: 'https://169.254.169.254' },
        credentials,
      }),
    ).rejects.toThrow(/serverUrl: /);

    const moved = await actions.invoke({
      id: 'test:assign-cluster-category',
      input: { name: 'mcp-vault', category: 'prod' },
      credentials,
    });
    expect(moved.output).toMatchObject({
      cluster: { name: 'mcp-vault', category: 'prod' },
    });
    await expect(
      actions.invoke({
        id: 'test:assign-cluster-category',
        input: { name: 'mcp-vault', category: 'missing' },
        credentials,
      }),
    ).rejects.toThrow(/category: unknown category/);
    const refreshed = await actions.invoke({
      id: 'test:refresh-cluster',
      input: { name: 'mcp-vault' },
      credentials,
    });
    expect(refreshed.output).toMatchObject({
      cluster: { name: 'mcp-vault', state: 'isolated' },
    });

    const prod = await actions.invoke({
      id: 'test:list-clusters',
      input: { categories: ['prod'] },
      credentials,
    });
    expect(prod.output).toMatchObject({
      totalCount: 1,
      clusters: [{ name: 'mcp-vault', category: 'prod' }],
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

    // Exactly one audit event per change, naming the acting user, as over REST.
    const events = auditor.createEvent.mock.calls.map(([e]) => [
      e.eventId,
      e.meta,
    ]);
    expect(events).toEqual([
      [
        'cluster-register',
        { cluster: 'mcp-vault', actor: 'user:default/alice' },
      ],
      ['cluster-update', { cluster: 'mcp-vault', actor: 'user:default/alice' }],
      ['cluster-update', { cluster: 'mcp-vault', actor: 'user:default/alice' }],
    ]);
  });

  it('applies the same permissions as the REST API', async () => {
    const actions = await startWithActions(AuthorizeResult.DENY);
    const credentials = mockCredentials.user('user:default/bob');
    await expect(
      actions.invoke({ id: 'test:list-clusters', input: {}, credentials }),
    ).rejects.toThrow(/not allowed: cluster-registry.cluster.read/);
    for (const [id, input] of [
      ['test:register-cluster', { name: 'nope', isolated: true }],
      ['test:assign-cluster-category', { name: 'nope', category: null }],
      ['test:refresh-cluster', { name: 'nope' }],
    ] as const) {
      await expect(actions.invoke({ id, input, credentials })).rejects.toThrow(
        /not allowed/,
      );
    }
  });
});
