import {
  actionsRegistryServiceFactory,
  actionsServiceFactory,
} from '@backstage/backend-defaults/alpha';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import clusterRegistryPlugin from '@cluster-registry/plugin-cluster-registry-backend';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import crypto from 'node:crypto';
import { AddressInfo } from 'node:net';

jest.setTimeout(120_000);

/** The text of a tool's answer, parsed (the MCP actions backend answers JSON text). */
function output(result: any): any {
  const text = result.content?.find((c: any) => c.type === 'text')?.text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

describe('the registry as MCP tools, used by the official MCP client library', () => {
  it('lists, reads, registers an isolated cluster, links out for credentials, assigns a category and refreshes', async () => {
    const { server } = await startTestBackend({
      features: [
        clusterRegistryPlugin,
        mcpActionsPlugin,
        // The real actions services: the MCP backend calls the registry's
        // actions over HTTP, as in a portal.
        actionsServiceFactory,
        actionsRegistryServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://portal.example' },
            backend: { actions: { pluginSources: ['cluster-registry'] } },
            clusterRegistry: {
              encryptionKey: crypto.randomBytes(32).toString('base64'),
              healthCheck: { intervalSeconds: 3600 },
            },
          },
        }),
      ],
    });
    const { port } = server.address() as AddressInfo;
    const client = new Client({ name: 'cluster-registry-test', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(
        new URL(`http://localhost:${port}/api/mcp-actions/v1`),
      ),
    );

    const { tools } = await client.listTools();
    const names = tools.map(t => t.name);
    for (const tool of [
      'list-clusters',
      'get-cluster',
      'register-cluster',
      'assign-cluster-category',
      'refresh-cluster',
    ]) {
      expect(names.some(n => n.endsWith(tool))).toBe(true);
    }
    const call = async (tool: string, args: Record<string, unknown>) => {
      const name = names.find(n => n.endsWith(tool))!;
      const result: any = await client.callTool({ name, arguments: args });
      return { error: Boolean(result.isError), body: output(result) };
    };

    const isolated = await call('register-cluster', {
      name: 'mcp-airgap',
      isolated: true,
      category: 'qa',
    });
    expect(isolated.error).toBe(false);
    expect(isolated.body).toMatchObject({
      registered: true,
      cluster: { name: 'mcp-airgap', state: 'isolated' },
    });

    const withEndpoint = await call('register-cluster', {
      name: 'mcp-prod',
      serverUrl: 'https://10.1.2.3:6443',
    });
    expect(withEndpoint.body).toMatchObject({
      registered: false,
      completeAt:
        'http://portal.example/clusters/register?name=mcp-prod&serverUrl=https%3A%2F%2F10.1.2.3%3A6443',
    });

    expect(
      (
        await call('assign-cluster-category', {
          name: 'mcp-airgap',
          category: 'prod',
        })
      ).body,
    ).toMatchObject({ cluster: { category: 'prod' } });
    expect(
      (await call('refresh-cluster', { name: 'mcp-airgap' })).body,
    ).toMatchObject({ cluster: { name: 'mcp-airgap' } });
    expect(
      (await call('list-clusters', { categories: ['prod'] })).body,
    ).toMatchObject({ totalCount: 1, clusters: [{ name: 'mcp-airgap' }] });
    expect(
      (await call('get-cluster', { name: 'mcp-airgap' })).body,
    ).toMatchObject({ cluster: { name: 'mcp-airgap', category: 'prod' } });

    // Bad input is a tool error naming the field, not a crash.
    const bad = await call('register-cluster', {
      name: 'Bad Name',
      isolated: true,
    });
    expect(bad.error).toBe(true);
    expect(JSON.stringify(bad.body)).toMatch(/name: /);
    await client.close();
  });
});
