import { createServiceFactory } from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { ClusterDetails } from '@backstage/plugin-kubernetes-node';
import clusterRegistryPlugin from '@cluster-registry/plugin-cluster-registry-backend';
import { DefaultClusterConnectionsService } from '@cluster-registry/plugin-cluster-registry-node';
import {
  acquireTestEnv,
  b64,
  BastionEnv,
  RunningTestEnv,
} from '@internal/cluster-registry-test-env';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { Client } from 'ssh2';
import request from 'supertest';
import { registrySupplier } from '../__testUtils__/registrySupplier';
import WebSocket from 'ws';
import { AddressPolicy } from '@cluster-registry/plugin-cluster-registry-node';

jest.setTimeout(120_000);

/**
 * Clusters behind a bastion, in the topology of production: the API server
 * lives in a network namespace the test environment creates, on that
 * namespace's loopback, and its certificate names only
 * `api.private-cluster.test`, which only the namespace resolves. The backend
 * reaches it only through the bastion's OpenSSH or tinyproxy. Their logs
 * prove each consumer's traffic went through them.
 *
 * The Kubernetes plugin's side is exercised here as the plugin sees it: the
 * module's supplier hands out each tunnelled cluster as a loopback URL and a
 * CA, and requests and a websocket watch go there with that CA only (what
 * the plugin's fetcher and /proxy do). The plugin itself imports
 * client-node dynamically, which jest cannot run, so its entity tab and
 * /proxy through the tunnel are tested against the real portal (e2e).
 */
describe('clusters behind an HTTP proxy or an SSH bastion', () => {
  let running: RunningTestEnv;
  let bastion: BastionEnv;
  let server: any;
  let serverUrl: string;
  let caData: string;
  let adminToken: string;
  let connections: DefaultClusterConnectionsService;
  let supplier: ReturnType<typeof registrySupplier>;
  /** The registry's actions, as the MCP actions backend calls them. */
  const actions = actionsRegistryServiceMock();
  /** The scheduler: the test runs the health sweep when it wants. */
  const scheduler = mockServices.scheduler.mock();
  const sweep = () =>
    scheduler.scheduleTask.mock.calls
      .find(([task]) => task.id === 'cluster-registry-health-check')![0]
      .fn(new AbortController().signal);

  const lines = (file: string) => fs.readFileSync(file, 'utf8').split('\n');
  /** Lines a log gained while `fn` ran. */
  async function logged<T>(file: string, fn: () => Promise<T>) {
    const before = lines(file).length;
    const result = await fn();
    // sshd and tinyproxy write their lines as the connection opens; allow a moment.
    await new Promise(r => setTimeout(r, 200));
    return { result, added: lines(file).slice(before - 1) };
  }
  const tunnelledThroughProxy = (added: string[]) =>
    added.some(l => l.includes(`CONNECT ${bastion.apiHost}:6443`));
  const tunnelledThroughSsh = (added: string[]) =>
    added.some(
      l =>
        l.includes('direct_tcpip') &&
        l.includes(`target ${bastion.apiHost} port 6443`),
    );

  const proxyConnection = () => ({
    method: 'proxy',
    proxyUrl: bastion.proxy.url,
  });
  const sshConnection = (extra: object = {}) => ({
    method: 'sshTunnel',
    sshTunnel: {
      host: bastion.ssh.host,
      port: bastion.ssh.port,
      username: bastion.ssh.username,
      password: bastion.ssh.password,
      ...extra,
    },
  });
  const registration = (name: string, connection: object, extra = {}) => ({
    name,
    serverUrl,
    auth: { type: 'bearerToken', token: adminToken },
    tls: { caData },
    connection,
    ...extra,
  });
  const hostKeyFingerprint = () => {
    const blob = Buffer.from(bastion.ssh.hostKey.split(/\s+/)[1], 'base64');
    return `SHA256:${crypto
      .createHash('sha256')
      .update(blob)
      .digest('base64')
      .replace(/=+$/, '')}`;
  };

  beforeAll(async () => {
    running = await acquireTestEnv({ bastion: true });
    bastion = running.env.bastion!;
    const api = bastion.kubeApiServer;
    serverUrl = api.serverUrl;
    caData = b64(api.caData);
    adminToken = api.adminToken;
    ({ server } = await startTestBackend({
      features: [
        clusterRegistryPlugin,
        createServiceFactory({
          service: actionsRegistryServiceRef,
          deps: {},
          factory: () => actions,
        }),
        scheduler.factory,
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://portal.example' },
            clusterRegistry: {
              encryptionKey: crypto.randomBytes(32).toString('base64'),
              healthCheck: { intervalSeconds: 3600 },
              tunnels: { connectTimeoutMs: 5000 },
            },
          },
        }),
      ],
    }));
    connections = new DefaultClusterConnectionsService({
      policy: new AddressPolicy(),
      logger: mockServices.logger.mock(),
      settings: {
        connectTimeoutMs: 5000,
        sshIdleTimeoutMs: 60_000,
        sshKeepaliveIntervalMs: 15_000,
        bridgeIdleTimeoutMs: 60_000,
      },
    });
    supplier = registrySupplier(server, connections);
  });

  afterAll(async () => {
    await connections?.close();
    await running?.stop();
  });

  /** The cluster as the Kubernetes plugin is given it. */
  async function supplied(name: string): Promise<ClusterDetails> {
    const clusters = await supplier.getClusters({
      credentials: mockCredentials.none(),
    });
    const cluster = clusters.find(c => c.name === name);
    if (!cluster) throw new Error(`${name} is not supplied`);
    return cluster;
  }

  /**
   * A GET as the Kubernetes plugin's fetcher makes it: to the supplied URL,
   * trusting only the supplied CA, with the cluster's token or client
   * certificate (here: the bridge's, from the supplied auth metadata).
   */
  async function getAsPlugin(
    cluster: ClusterDetails,
    path: string,
    options: { withClientCert?: boolean } = {},
  ): Promise<{ status: number; body: any }> {
    const meta = cluster.authMetadata;
    const pem = (k: string) => Buffer.from(meta[k], 'base64').toString();
    const cert =
      options.withClientCert !== false &&
      meta['cluster-registry.io/client-cert-data']
        ? {
            cert: pem('cluster-registry.io/client-cert-data'),
            key: pem('cluster-registry.io/client-key-data'),
          }
        : {};
    return new Promise((resolve, reject) => {
      https
        .get(
          new URL(path, cluster.url),
          {
            // A connection per request, as the plugin's /proxy makes them.
            agent: false,
            ca: Buffer.from(cluster.caData!, 'base64'),
            ...cert,
            headers: meta.serviceAccountToken
              ? { authorization: `Bearer ${meta.serviceAccountToken}` }
              : {},
          },
          res => {
            let text = '';
            res.on('data', d => (text += d));
            res.on('end', () => {
              let body: any = text;
              try {
                body = JSON.parse(text);
              } catch {
                // not JSON
              }
              resolve({ status: res.statusCode ?? 0, body });
            });
          },
        )
        .on('error', reject);
    });
  }

  async function postAsPlugin(
    cluster: ClusterDetails,
    path: string,
    body: object,
  ): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const req = https.request(
        new URL(path, cluster.url),
        {
          method: 'POST',
          ca: Buffer.from(cluster.caData!, 'base64'),
          headers: {
            authorization: `Bearer ${cluster.authMetadata.serviceAccountToken}`,
            'content-type': 'application/json',
          },
        },
        res => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 201
              ? resolve()
              : reject(new Error(`POST ${path}: ${res.statusCode}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  }

  it('is an honest topology: the API server is reachable only through the bastion, under a name only the bastion resolves', async () => {
    expect(new URL(serverUrl).hostname).toBe('api.private-cluster.test');
    // Nothing listens on the bastion's address for the API port: the server
    // is on the namespace's own loopback.
    const reached = await new Promise(resolve => {
      const s = net.connect({ host: bastion.address, port: 6443 });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    expect(reached).toBe(false);
  });

  it('verifies and registers through the HTTP proxy; the Kubernetes plugin reads through it', async () => {
    const verify = await logged(bastion.proxy.logFile, () =>
      request(server)
        .post('/api/cluster-registry/verify')
        .send(registration('via-proxy', proxyConnection())),
    );
    expect(verify.result.status).toBe(200);
    expect(verify.result.body).toMatchObject({
      ok: true,
      permissionLevel: 'admin',
    });
    expect(tunnelledThroughProxy(verify.added)).toBe(true);

    const created = await request(server)
      .post('/api/cluster-registry/clusters')
      .send(registration('via-proxy', proxyConnection()))
      .expect(201);
    expect(created.body.status.state).toBe('running');
    expect(JSON.stringify(created.body)).not.toContain('127.0.0.1');

    const refreshed = await logged(bastion.proxy.logFile, () =>
      request(server).post('/api/cluster-registry/clusters/via-proxy/refresh'),
    );
    expect(refreshed.result.body.status.state).toBe('running');
    expect(tunnelledThroughProxy(refreshed.added)).toBe(true);

    const cluster = await supplied('via-proxy');
    expect(cluster.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(cluster.skipTLSVerify).toBe(false);
    expect(cluster.caData).not.toBe(caData); // the bridge's CA, not the cluster's
    const fetched = await logged(bastion.proxy.logFile, () =>
      getAsPlugin(cluster, '/api/v1/namespaces/default'),
    );
    expect(fetched.result.status).toBe(200);
    expect(fetched.result.body.metadata.name).toBe('default');
    expect(tunnelledThroughProxy(fetched.added)).toBe(true);
  });

  it('the MCP actions refresh and read a tunnelled cluster through its tunnel, and hand back a registration link that says how it is reached', async () => {
    await request(server)
      .post('/api/cluster-registry/clusters')
      .send(registration('mcp-via-ssh', sshConnection()))
      .expect(201);
    const credentials = mockCredentials.user('user:default/mcp-agent');
    const refreshed = await logged(bastion.ssh.logFile, () =>
      actions.invoke({
        id: 'test:refresh-cluster',
        input: { name: 'mcp-via-ssh' },
        credentials,
      }),
    );
    expect(refreshed.result.output).toMatchObject({
      cluster: { name: 'mcp-via-ssh', state: 'running' },
    });
    expect(tunnelledThroughSsh(refreshed.added)).toBe(true);

    const link = await actions.invoke({
      id: 'test:register-cluster',
      input: {
        name: 'mcp-private',
        serverUrl,
        connection: {
          method: 'sshTunnel',
          sshHost: bastion.ssh.host,
          sshPort: bastion.ssh.port,
          sshUsername: bastion.ssh.username,
        },
      },
      credentials,
    });
    expect(link.output).toMatchObject({ registered: false });
    const query = new URL((link.output as any).completeAt).searchParams;
    expect(query.get('connectionMethod')).toBe('sshTunnel');
    expect(query.get('sshHost')).toBe(bastion.ssh.host);
    expect([...query.keys()].some(k => /password|key$/i.test(k))).toBe(false);
  });

  it('the health sweep checks each tunnelled cluster through its own tunnel', async () => {
    for (const [name, connection] of [
      ['sweep-proxy', proxyConnection()],
      ['sweep-ssh', sshConnection()],
    ] as const)
      await request(server)
        .post('/api/cluster-registry/clusters')
        .send(registration(name, connection))
        .expect(201);
    const before = {
      ssh: lines(bastion.ssh.logFile).length,
      proxy: lines(bastion.proxy.logFile).length,
    };
    await sweep();
    await new Promise(r => setTimeout(r, 200));
    expect(
      tunnelledThroughSsh(lines(bastion.ssh.logFile).slice(before.ssh - 1)),
    ).toBe(true);
    expect(
      tunnelledThroughProxy(
        lines(bastion.proxy.logFile).slice(before.proxy - 1),
      ),
    ).toBe(true);
    for (const name of ['sweep-proxy', 'sweep-ssh']) {
      const got = await request(server)
        .get(`/api/cluster-registry/clusters/${name}`)
        .expect(200);
      expect(got.body.status).toMatchObject({ state: 'running' });
    }
  });

  it("keeps the bridge's upstream tunnel for the plugin's requests, each on a connection of its own", async () => {
    await request(server)
      .post('/api/cluster-registry/clusters')
      .send(registration('kept-proxy', proxyConnection()))
      .expect(201);
    const cluster = await supplied('kept-proxy');
    const fetched = await logged(bastion.proxy.logFile, async () => {
      const statuses = [];
      for (let i = 0; i < 5; i++)
        statuses.push(
          (await getAsPlugin(cluster, '/api/v1/namespaces/default')).status,
        );
      return statuses;
    });
    expect(fetched.result).toEqual([200, 200, 200, 200, 200]);
    // One CONNECT for the five: the bridge reuses its upstream connection.
    expect(
      fetched.added.filter(l => l.includes(`CONNECT ${bastion.apiHost}:6443`)),
    ).toHaveLength(1);
  });

  it("closes a cluster's bridge when its connection is edited or it is removed", async () => {
    await request(server)
      .post('/api/cluster-registry/clusters')
      .send(registration('edited-proxy', proxyConnection()))
      .expect(201);
    const first = await supplied('edited-proxy');
    expect((await getAsPlugin(first, '/version')).status).toBe(200);
    const accepts = (url: string) =>
      new Promise(resolve => {
        const { hostname, port } = new URL(url);
        const s = net.connect({ host: hostname, port: Number(port) });
        s.once('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      });

    // Through the proxy with credentials now: a new bridge, the old one closed.
    await request(server)
      .patch('/api/cluster-registry/clusters/edited-proxy')
      .send({
        connection: {
          method: 'proxy',
          proxyUrl: bastion.authProxy.url,
          username: bastion.authProxy.username,
          password: bastion.authProxy.password,
        },
      })
      .expect(200);
    const second = await supplied('edited-proxy');
    expect(second.url).not.toBe(first.url);
    expect(await accepts(first.url)).toBe(false);
    expect((await getAsPlugin(second, '/version')).status).toBe(200);

    await request(server)
      .delete('/api/cluster-registry/clusters/edited-proxy')
      .expect(204);
    await supplier.getClusters({ credentials: mockCredentials.none() });
    expect(await accepts(second.url)).toBe(false);
  });

  it('sends proxy credentials only when given, keeps the password secret, and says when they are missing', async () => {
    const withoutCredentials = await request(server)
      .post('/api/cluster-registry/verify')
      .send(
        registration('via-auth-proxy', {
          method: 'proxy',
          proxyUrl: bastion.authProxy.url,
        }),
      )
      .expect(200);
    expect(withoutCredentials.body).toMatchObject({
      ok: false,
      field: 'connection',
    });
    expect(withoutCredentials.body.message).toMatch(/407/);

    const connection = {
      method: 'proxy',
      proxyUrl: bastion.authProxy.url,
      username: bastion.authProxy.username,
      password: bastion.authProxy.password,
    };
    const created = await request(server)
      .post('/api/cluster-registry/clusters')
      .send(registration('via-auth-proxy', connection))
      .expect(201);
    expect(created.body.connection).toEqual({
      method: 'proxy',
      proxyUrl: bastion.authProxy.url,
      username: bastion.authProxy.username,
      passwordSet: true,
    });
    expect(JSON.stringify(created.body)).not.toContain(
      bastion.authProxy.password,
    );
  });

  it('verifies through SSH, shows the host key to pin, pins it on registration and serves the Kubernetes plugin through the tunnel', async () => {
    const verify = await logged(bastion.ssh.logFile, () =>
      request(server)
        .post('/api/cluster-registry/verify')
        .send(registration('via-ssh', sshConnection())),
    );
    expect(verify.result.body).toMatchObject({
      ok: true,
      sshHostKey: { fingerprint: hostKeyFingerprint(), pinned: false },
    });
    expect(tunnelledThroughSsh(verify.added)).toBe(true);

    const created = await request(server)
      .post('/api/cluster-registry/clusters')
      .send(registration('via-ssh', sshConnection()))
      .expect(201);
    expect(created.body.status.state).toBe('running');
    expect(created.body.connection.sshTunnel).toMatchObject({
      passwordSet: true,
      privateKeySet: false,
      hostKeyFingerprints: [hostKeyFingerprint()],
    });
    expect(JSON.stringify(created.body)).not.toContain(bastion.ssh.password);

    const fetched = await logged(bastion.ssh.logFile, async () =>
      getAsPlugin(await supplied('via-ssh'), '/api/v1/namespaces/default'),
    );
    expect(fetched.result.status).toBe(200);
    expect(tunnelledThroughSsh(fetched.added)).toBe(true);

    const refreshed = await logged(bastion.ssh.logFile, () =>
      request(server).post('/api/cluster-registry/clusters/via-ssh/refresh'),
    );
    expect(refreshed.result.body.status.state).toBe('running');
    expect(tunnelledThroughSsh(refreshed.added)).toBe(true);
  });

  it('carries a websocket watch through the SSH tunnel to the API server', async () => {
    const cluster = await supplied('via-ssh');
    const name = `watched-${crypto.randomBytes(3).toString('hex')}`;
    const events: any[] = [];
    const ws = new WebSocket(
      `${cluster.url.replace(
        'https:',
        'wss:',
      )}/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=metadata.name%3D${name}`,
      {
        ca: Buffer.from(cluster.caData!, 'base64'),
        // The API server's watch over websocket checks that there is an Origin.
        origin: cluster.url,
        headers: {
          authorization: `Bearer ${cluster.authMetadata.serviceAccountToken}`,
        },
      },
    );
    ws.on('message', data => events.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`upgrade answered ${res.statusCode}`)),
      );
    });
    // Created through the same tunnel, with the cluster's own credential.
    await postAsPlugin(cluster, '/api/v1/namespaces/default/configmaps', {
      metadata: { name },
      data: { a: 'b' },
    });
    const deadline = Date.now() + 10_000;
    while (!events.length && Date.now() < deadline) {
      await new Promise(r => setTimeout(r, 100));
    }
    ws.close();
    expect(events[0]).toMatchObject({
      type: 'ADDED',
      object: { metadata: { name } },
    });
  });

  it("queries a Prometheus inside the private network through the cluster's SSH tunnel", async () => {
    const prometheus = {
      url: bastion.prometheusUrl,
      throughClusterConnection: true,
    };
    const unsaved = await request(server)
      .post('/api/cluster-registry/prometheus/test')
      .send(prometheus)
      .expect(400);
    expect(unsaved.body.error.fields[0].field).toBe('throughClusterConnection');

    const created = await request(server)
      .post('/api/cluster-registry/clusters')
      .send(registration('via-ssh-prom', sshConnection(), { prometheus }))
      .expect(201);
    expect(created.body.prometheus.throughClusterConnection).toBe(true);
    const tested = await logged(bastion.ssh.logFile, async () => {
      // Prometheus scrapes itself every second; wait for its first sample.
      for (let i = 0; ; i++) {
        const res = await request(server)
          .post('/api/cluster-registry/clusters/via-ssh-prom/prometheus/test')
          .expect(200);
        if (res.body.seriesCount || i >= 20) return res;
        await new Promise(r => setTimeout(r, 500));
      }
    });
    expect(tested.result.body).toMatchObject({ ok: true, seriesCount: 1 });
    expect(
      tested.added.some(
        l =>
          l.includes('direct_tcpip') &&
          l.includes('target prometheus.private-cluster.test port 9090'),
      ),
    ).toBe(true);

    // The cluster page reads through the same tunnel: the API server's
    // nodes and access reviews, the Prometheus' exporters and queries.
    const insight = await logged(bastion.ssh.logFile, () =>
      request(server)
        .get('/api/cluster-registry/clusters/via-ssh-prom/insight')
        .expect(200),
    );
    expect(insight.result.body.nodes.items).toEqual(expect.any(Array));
    expect(insight.result.body.access.items).toContainEqual(
      expect.objectContaining({ verb: '*', allowed: true }),
    );
    expect(insight.result.body.version.version).toBe(
      bastion.kubeApiServer.kubernetesVersion,
    );
    expect(
      insight.added.some(
        l =>
          l.includes('direct_tcpip') && l.includes(`target ${bastion.apiHost}`),
      ),
    ).toBe(true);
    const sources = await request(server)
      .get('/api/cluster-registry/clusters/via-ssh-prom/metrics/sources')
      .expect(200);
    // That Prometheus scrapes only itself: found, but no exporter.
    expect(sources.body.prometheus.ok).toBe(true);
    expect(sources.body.exporters.every((e: any) => !e.found)).toBe(true);
  });

  it('logs in with a private key and a known_hosts line given up front', async () => {
    const created = await request(server)
      .post('/api/cluster-registry/clusters')
      .send(
        registration('via-ssh-key', {
          method: 'sshTunnel',
          sshTunnel: {
            host: bastion.ssh.host,
            port: bastion.ssh.port,
            username: bastion.ssh.username,
            privateKey: bastion.ssh.privateKey,
            hostKeys: [`${bastion.ssh.host} ${bastion.ssh.hostKey}`],
          },
        }),
      )
      .expect(201);
    expect(created.body.status.state).toBe('running');
    expect(created.body.connection.sshTunnel).toMatchObject({
      passwordSet: false,
      privateKeySet: true,
      hostKeyFingerprints: [hostKeyFingerprint()],
    });
  });

  it('refuses a bastion whose host key is not the pinned one before authenticating, until an admin accepts the new key', async () => {
    const other = crypto.generateKeyPairSync('ed25519');
    const der = other.publicKey.export({ type: 'spki', format: 'der' });
    // ssh-ed25519 blob: string "ssh-ed25519", string key (last 32 bytes of the SPKI)
    const str = (b: Buffer) => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(b.length);
      return Buffer.concat([len, b]);
    };
    const blob = Buffer.concat([
      str(Buffer.from('ssh-ed25519')),
      str(der.subarray(der.length - 32)),
    ]);
    const wrongPin = `ssh-ed25519 ${blob.toString('base64')}`;

    const verify = await logged(bastion.ssh.logFile, () =>
      request(server)
        .post('/api/cluster-registry/verify')
        .send(
          registration('pinned-wrong', sshConnection({ hostKeys: [wrongPin] })),
        ),
    );
    expect(verify.result.body).toMatchObject({
      ok: false,
      reason: 'unreachable',
      field: 'connection',
      sshHostKey: { fingerprint: hostKeyFingerprint(), pinned: false },
    });
    expect(verify.result.body.message).toMatch(/SSH host key changed/);
    // Refused during the key exchange: sshd never saw a login attempt.
    expect(verify.added.some(l => /Accepted|Failed password/.test(l))).toBe(
      false,
    );

    await request(server)
      .post('/api/cluster-registry/clusters')
      .send(
        registration('pinned-wrong', sshConnection({ hostKeys: [wrongPin] }), {
          skipVerification: true,
        }),
      )
      .expect(201);
    const refreshed = await request(server)
      .post('/api/cluster-registry/clusters/pinned-wrong/refresh')
      .expect(200);
    expect(refreshed.body.status.state).toBe('unreachable');
    // The fingerprint is base64 ('+', '/'): compared as text, not as a pattern.
    expect(refreshed.body.status.message).toMatch(/^SSH host key changed/);
    expect(refreshed.body.status.message).toContain(
      `presented ${hostKeyFingerprint()}`,
    );
    // The Kubernetes plugin gets the reason, not a reset.
    const refused = await getAsPlugin(
      await supplied('pinned-wrong'),
      '/api/v1/namespaces/default',
    );
    expect(refused.status).toBe(502);
    expect(refused.body.message).toMatch(/SSH host key changed/);

    // Accepting another fingerprint than the bastion's is refused, and the
    // stored credentials are not sent to find out.
    const wrongAccept = await logged(bastion.ssh.logFile, () =>
      request(server)
        .post('/api/cluster-registry/clusters/pinned-wrong/ssh-host-key')
        .send({ fingerprint: `SHA256:${'A'.repeat(43)}` })
        .expect(409),
    );
    expect(wrongAccept.result.body.error.fields[0].field).toBe('fingerprint');
    expect(
      wrongAccept.added.some(l => /Accepted|Failed password/.test(l)),
    ).toBe(false);
    const accepted = await request(server)
      .post('/api/cluster-registry/clusters/pinned-wrong/ssh-host-key')
      .send({ fingerprint: hostKeyFingerprint() })
      .expect(200);
    expect(accepted.body.status.state).toBe('running');
    expect(accepted.body.connection.sshTunnel.hostKeyFingerprints).toEqual([
      hostKeyFingerprint(),
    ]);
  });

  it('keeps a client-certificate cluster working through its bridge, which serves only holders of the bridge client certificate', async () => {
    const api = bastion.kubeApiServer;
    await request(server)
      .post('/api/cluster-registry/clusters')
      .send({
        ...registration('via-ssh-cert', sshConnection()),
        auth: {
          type: 'clientCertificate',
          certData: b64(api.adminCertData),
          keyData: b64(api.adminKeyData),
        },
      })
      .expect(201);
    const cluster = await supplied('via-ssh-cert');
    // The plugin is given the bridge's client certificate, not the cluster's.
    expect(
      cluster.authMetadata['cluster-registry.io/client-cert-data'],
    ).not.toBe(b64(api.adminCertData));
    const fetched = await getAsPlugin(cluster, '/api/v1/namespaces/default');
    expect(fetched.status).toBe(200);
    await expect(
      getAsPlugin(cluster, '/api/v1/namespaces/default', {
        withClientCert: false,
      }),
    ).rejects.toThrow();
  });

  it('verifies TLS end to end: a wrong CA is refused through the tunnel', async () => {
    const wrongCa = await request(server)
      .post('/api/cluster-registry/verify')
      .send({
        ...registration('wrong-ca', sshConnection()),
        tls: { caData: b64(bastion.kubeApiServer.otherCaData) },
      })
      .expect(200);
    expect(wrongCa.body).toMatchObject({ ok: false, reason: 'tls' });
  });

  it('verifies the server name through the tunnel: a name the certificate does not carry is refused', async () => {
    // Inside the bastion's network, localhost is the API server's own
    // address; its certificate names only api.private-cluster.test.
    const wrongName = await request(server)
      .post('/api/cluster-registry/verify')
      .send({
        ...registration('wrong-name', sshConnection()),
        serverUrl: 'https://localhost:6443',
      })
      .expect(200);
    expect(wrongName.body).toMatchObject({ ok: false, reason: 'tls' });
    expect(wrongName.body.message).toMatch(/localhost/);
  });

  it('a plain byte forwarder on loopback fails the name check: why the bridge re-originates TLS', async () => {
    const ssh = new Client();
    await new Promise<void>((resolve, reject) => {
      ssh.once('ready', () => resolve()).once('error', reject);
      ssh.connect({
        host: bastion.ssh.host,
        port: bastion.ssh.port,
        username: bastion.ssh.username,
        password: bastion.ssh.password,
      });
    });
    const forwarder = net.createServer(socket =>
      ssh.forwardOut('127.0.0.1', 0, bastion.apiHost, 6443, (err, ch) => {
        if (err) socket.destroy();
        else socket.pipe(ch).pipe(socket);
      }),
    );
    await new Promise<void>(r => forwarder.listen(0, '127.0.0.1', r));
    const { port } = forwarder.address() as net.AddressInfo;
    const error = await new Promise<NodeJS.ErrnoException>(resolve => {
      https
        .get(
          {
            host: '127.0.0.1',
            port,
            path: '/version',
            ca: bastion.kubeApiServer.caData,
          },
          () => resolve(new Error('answered') as NodeJS.ErrnoException),
        )
        .on('error', resolve);
    });
    forwarder.close();
    ssh.end();
    expect(error.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('fails every consumer with a clear reason when the bastion or proxy cannot be reached, and never connects directly', async () => {
    const closedSsh = {
      method: 'sshTunnel',
      sshTunnel: {
        host: bastion.address,
        port: 2222,
        username: bastion.ssh.username,
        password: bastion.ssh.password,
      },
    };
    const closedProxy = {
      method: 'proxy',
      proxyUrl: `http://${bastion.address}:3999`,
    };
    for (const [name, connection] of [
      ['ssh-down', closedSsh],
      ['proxy-down', closedProxy],
    ] as const) {
      const verify = await request(server)
        .post('/api/cluster-registry/verify')
        .send(registration(name, connection))
        .expect(200);
      expect(verify.body).toMatchObject({
        ok: false,
        reason: 'unreachable',
        field: 'connection',
      });
      expect(verify.body.message).toMatch(/ECONNREFUSED/);
      await request(server)
        .post('/api/cluster-registry/clusters')
        .send(registration(name, connection, { skipVerification: true }))
        .expect(201);
      const refreshed = await request(server)
        .post(`/api/cluster-registry/clusters/${name}/refresh`)
        .expect(200);
      expect(refreshed.body.status.state).toBe('unreachable');
      const refused = await getAsPlugin(
        await supplied(name),
        '/api/v1/namespaces/default',
      );
      expect(refused.status).toBe(502);
      expect(refused.body.message).toMatch(/ECONNREFUSED/);
    }
  });
});
