import { AuthService } from '@backstage/backend-plugin-api';
import http from 'node:http';
import net from 'node:net';
import { DefaultClusterRegistryService } from './ClusterRegistryService';

describe('DefaultClusterRegistryService.listConnections', () => {
  let server: http.Server;
  let base: string;
  let resets = 0;
  let answered = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      // The first request's connection is reset, as a keep-alive race does.
      if (resets === 0) {
        resets++;
        req.socket.destroy();
        return;
      }
      answered++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ items: [{ name: 'c1' }] }));
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${
      (server.address() as net.AddressInfo).port
    }/api/cluster-registry`;
  });
  afterAll(() => new Promise(r => server.close(r)));

  it('asks again once when the connection was reset, instead of failing the caller', async () => {
    const registry = new DefaultClusterRegistryService({
      discovery: {
        getBaseUrl: async () => base,
        getExternalBaseUrl: async () => base,
      },
      // The token the registry would check; this server does not.
      auth: {
        getOwnServiceCredentials: async () => ({}),
        getPluginRequestToken: async () => ({ token: 'service-token' }),
      } as unknown as AuthService,
    });
    expect(await registry.listConnections()).toEqual([{ name: 'c1' }]);
    expect([resets, answered]).toEqual([1, 1]);
  });
});
