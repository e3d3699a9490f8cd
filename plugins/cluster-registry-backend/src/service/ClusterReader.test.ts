import { AddressPolicy } from '@cluster-registry/plugin-cluster-registry-node';
import http from 'node:http';
import net from 'node:net';
import { ClusterRecordWithSecrets } from '../database/types';
import { openClusterReader } from './ClusterReader';

describe('openClusterReader', () => {
  /** A listener that counts connections: the Prometheus must not be dialled. */
  let server: http.Server;
  let url: string;
  let dialled = 0;
  beforeAll(async () => {
    server = http.createServer((_req, res) => res.end('{}'));
    server.on('connection', () => dialled++);
    await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });
  afterAll(() => new Promise(r => server.close(r)));

  it("refuses a Prometheus behind the cluster's tunnel on a backend without the tunnel service, and never dials it directly", async () => {
    const record = {
      name: 'behind-proxy',
      isolated: true,
      connection: { method: 'proxy', proxyUrl: 'http://proxy.internal:3128' },
      prometheus: {
        url,
        auth: { type: 'none' },
        throughClusterConnection: true,
      },
      secrets: {},
    } as unknown as ClusterRecordWithSecrets;
    const reader = await openClusterReader(record, {
      verify: {
        timeoutMs: 2000,
        supportedVersions: { min: '1.28' },
        addressPolicy: new AddressPolicy(),
      },
      maxResponseChars: 1024,
      maxPrometheusChars: 1024,
    });
    try {
      await expect(reader.prometheus!.request('api/v1/query')).rejects.toThrow(
        /no tunnel service/,
      );
      expect(dialled).toBe(0);
    } finally {
      reader.close();
    }
  });
});
