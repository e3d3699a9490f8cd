import {
  acquireTestEnv,
  b64,
  KubeApiServerEnv,
  RunningTestEnv,
} from '@internal/cluster-registry-test-env';
import net from 'node:net';
import { ClusterEndpoint } from './kubeConfig';
import { AddressPolicy } from '@cluster-registry/plugin-cluster-registry-node';
import { verifyCluster } from './verifyCluster';

jest.setTimeout(240_000);

const options = {
  timeoutMs: 3000,
  supportedVersions: { min: '1.28' },
  addressPolicy: new AddressPolicy(),
};

describe('verifyCluster against a real kube-apiserver', () => {
  let running: RunningTestEnv;
  let api: KubeApiServerEnv;
  beforeAll(async () => {
    running = await acquireTestEnv({ kubeApiServers: 1 });
    api = running.env.kubeApiServers[0];
  });
  afterAll(() => running?.stop());

  const withToken = (
    token: string,
    overrides: Partial<ClusterEndpoint> = {},
  ): ClusterEndpoint => ({
    name: 'c',
    serverUrl: api.serverUrl,
    auth: { type: 'bearerToken' },
    tls: { caData: b64(api.caData), insecureSkipTlsVerify: false },
    secrets: { token },
    ...overrides,
  });

  it('admin token: version, admin permission', async () => {
    const result = await verifyCluster(withToken(api.adminToken), options);
    expect(result).toMatchObject({
      ok: true,
      kubernetesVersion: api.kubernetesVersion,
      versionSupported: true,
      permissionLevel: 'admin',
    });
    expect(typeof result.nodeCount).toBe('number');
  });

  it('client certificate', async () => {
    const result = await verifyCluster(
      {
        ...withToken(''),
        auth: { type: 'clientCertificate', certData: b64(api.adminCertData) },
        secrets: { clientKeyData: b64(api.adminKeyData) },
      },
      options,
    );
    expect(result).toMatchObject({ ok: true, permissionLevel: 'admin' });
  });

  it('read-only token: read permission, nodes not visible', async () => {
    const result = await verifyCluster(withToken(api.readOnlyToken), options);
    expect(result).toMatchObject({ ok: true, permissionLevel: 'read' });
    expect(result.nodeCount).toBeUndefined();
  });

  it('no-rights token: refused with the reason', async () => {
    const result = await verifyCluster(withToken(api.noRightsToken), options);
    expect(result).toMatchObject({
      ok: false,
      reason: 'forbidden',
      permissionLevel: 'none',
    });
    expect(result.message).toMatch(/view ClusterRole/);
  });

  it('invalid token: 401', async () => {
    expect(
      await verifyCluster(withToken('not-a-token'), options),
    ).toMatchObject({ ok: false, reason: 'unauthorized' });
  });

  it('wrong CA: TLS error; insecure skip verify connects', async () => {
    const wrongCa = withToken(api.adminToken, {
      tls: { caData: b64(api.otherCaData), insecureSkipTlsVerify: false },
    });
    expect(await verifyCluster(wrongCa, options)).toMatchObject({
      ok: false,
      reason: 'tls',
    });
    const insecure = withToken(api.adminToken, {
      tls: { insecureSkipTlsVerify: true },
    });
    expect(await verifyCluster(insecure, options)).toMatchObject({ ok: true });
  });

  it('unreachable and silent servers', async () => {
    const closed = await new Promise<number>(resolve => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as net.AddressInfo;
        s.close(() => resolve(port));
      });
    });
    expect(
      await verifyCluster(
        withToken('x', { serverUrl: `https://127.0.0.1:${closed}` }),
        options,
      ),
    ).toMatchObject({
      ok: false,
      reason: 'unreachable',
    });

    // Accepts TCP connections and never answers: the timeout must fire.
    const silent = net.createServer(() => {}).listen(0, '127.0.0.1');
    await new Promise(r => silent.once('listening', r));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const result = await verifyCluster(
        withToken('x', { serverUrl: `https://127.0.0.1:${port}` }),
        { ...options, timeoutMs: 500 },
      );
      expect(result).toMatchObject({ ok: false, reason: 'timeout' });
    } finally {
      silent.close();
    }
  });
});
