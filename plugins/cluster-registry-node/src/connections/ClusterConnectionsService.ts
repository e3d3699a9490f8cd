import {
  coreServices,
  createServiceFactory,
  createServiceRef,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import {
  ConnectionMethodWithSecrets,
  SshHostKeySeen,
} from '@cluster-registry/plugin-cluster-registry-common';
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { Duplex } from 'node:stream';
import {
  ADDRESS_POLICY_REFUSAL,
  AddressPolicy,
} from '../network/AddressPolicy';
import { ClusterConnection } from '../types';
import { BridgeIdentity, createBridgeIdentity } from './bridgeCertificates';
import { connectViaProxy } from './httpConnect';
import { SshBastion } from './SshBastion';
import { TlsBridge } from './TlsBridge';
import { PlainTunnelAgent, StreamOpener, TunnelAgent } from './TunnelAgent';
import { TunnelError } from './TunnelError';

/** How a connection reaches its destination: the contract's connection method, secrets included. @public */
export type ConnectionRoute = ConnectionMethodWithSecrets;

/** A route's connections as an agent, and what its SSH bastion presented. @public */
export interface TunnelHandle<A extends http.Agent = https.Agent> {
  agent: A;
  /** The host key the SSH bastion presented on its last handshake (SSH routes). */
  hostKey(): SshHostKeySeen | undefined;
  /** Closes the agent's connections (and a throw-away SSH connection). */
  close(): void;
}

/** Options of one use of a route. @public */
export interface TunnelOptions {
  /** Bounds opening the tunnel (proxy CONNECT, SSH handshake and channel). */
  timeoutMs?: number;
  /**
   * A verification before any host key is pinned: accept the key the bastion
   * presents (and report it through `hostKey()`), on an SSH connection of
   * its own that is never shared.
   */
  trustUnpinned?: boolean;
  /**
   * An SSH connection of its own, closed with the handle, never shared (a
   * verification of unsaved settings: its credentials are not kept).
   */
  ownConnection?: boolean;
}

/** Where the Kubernetes plugin reaches a tunnelled cluster from this process. @public */
export interface LoopbackEndpoint {
  /** https://127.0.0.1:port, for this process only; never stored. */
  url: string;
  /** Base64 PEM of the bridge CA, which is all the client needs to trust. */
  caData: string;
  /** For client-certificate clusters: what the client must present to the bridge (base64 PEM). */
  clientCert?: { certData: string; keyData: string };
}

/**
 * Tunnels to clusters behind an HTTP proxy or an SSH bastion, for every
 * backend plugin of this process: the registry's verification and health
 * sweep (`agentFor`), and the Kubernetes plugin (`loopbackFor`). One SSH
 * connection per bastion and credentials, shared by its clusters; one
 * loopback bridge per cluster. TLS is always end to end with the API server.
 *
 * @public
 */
export interface ClusterConnectionsService {
  /** An `https.Agent` whose connections go by the route (TLS end to end). */
  agentFor(route: ConnectionRoute, options?: TunnelOptions): TunnelHandle;
  /** An `http.Agent` for plain-HTTP servers (an anonymous Prometheus) by the route. */
  plainAgentFor(
    route: ConnectionRoute,
    options?: TunnelOptions,
  ): TunnelHandle<http.Agent>;
  /** A loopback TLS endpoint of a tunnelled cluster, created on first use. */
  loopbackFor(cluster: ClusterConnection): Promise<LoopbackEndpoint>;
  /** Closes the loopback endpoints of clusters not listed (deleted, or no longer tunnelled). */
  retainLoopbacks(clusters: ClusterConnection[]): void;
}

/** Settings under `clusterRegistry.tunnels` (milliseconds). @public */
export interface TunnelSettings {
  connectTimeoutMs: number;
  sshIdleTimeoutMs: number;
  sshKeepaliveIntervalMs: number;
  bridgeIdleTimeoutMs: number;
}

function readSettings(config: RootConfigService): TunnelSettings {
  const c = config.getOptionalConfig('clusterRegistry.tunnels');
  return {
    connectTimeoutMs: c?.getOptionalNumber('connectTimeoutMs') ?? 10_000,
    sshIdleTimeoutMs: c?.getOptionalNumber('sshIdleTimeoutMs') ?? 300_000,
    sshKeepaliveIntervalMs:
      c?.getOptionalNumber('sshKeepaliveIntervalMs') ?? 15_000,
    bridgeIdleTimeoutMs: c?.getOptionalNumber('bridgeIdleTimeoutMs') ?? 600_000,
  };
}

const hash = (value: unknown) =>
  crypto.createHash('sha256').update(JSON.stringify(value)).digest('hex');

function sshRoute(route: ConnectionRoute & { method: 'sshTunnel' }) {
  return { ...route.sshTunnel, hostKeys: route.sshTunnel.hostKeys ?? [] };
}

function closeBridge(bridge: Promise<TlsBridge>) {
  bridge.then(b => b.close()).catch(() => undefined);
}

const b64 = (pem: string) => Buffer.from(pem).toString('base64');
const pem = (base64: string) => Buffer.from(base64, 'base64').toString('utf8');

/** The default implementation. @public */
export class DefaultClusterConnectionsService
  implements ClusterConnectionsService
{
  private readonly bastions = new Map<string, SshBastion>();
  private readonly bridges = new Map<
    string,
    {
      fingerprint: string;
      /** The bridge once made; the entry exists before, so concurrent calls share it. */
      bridge: Promise<TlsBridge>;
      endpoint: Promise<LoopbackEndpoint>;
    }
  >();
  private identity?: Promise<BridgeIdentity>;

  constructor(
    private readonly options: {
      policy: AddressPolicy;
      logger: LoggerService;
      settings: TunnelSettings;
    },
  ) {}

  static fromConfig(
    config: RootConfigService,
    logger: LoggerService,
  ): DefaultClusterConnectionsService {
    return new DefaultClusterConnectionsService({
      policy: AddressPolicy.fromConfig(config),
      logger,
      settings: readSettings(config),
    });
  }

  private bastion(
    route: ConnectionRoute & { method: 'sshTunnel' },
    options: TunnelOptions,
  ): { bastion: SshBastion; shared: boolean } {
    const ssh = sshRoute(route);
    const bastionOptions = {
      policy: this.options.policy,
      logger: this.options.logger,
      idleTimeoutMs: this.options.settings.sshIdleTimeoutMs,
      keepaliveIntervalMs: this.options.settings.sshKeepaliveIntervalMs,
    };
    const unpinned = options.trustUnpinned && ssh.hostKeys.length === 0;
    if (unpinned || options.ownConnection) {
      return {
        bastion: new SshBastion(ssh, {
          ...bastionOptions,
          trustUnpinned: unpinned,
        }),
        shared: false,
      };
    }
    const key = hash(ssh);
    let bastion = this.bastions.get(key);
    if (!bastion) {
      this.dropIdleBastions();
      bastion = new SshBastion(ssh, bastionOptions);
      this.bastions.set(key, bastion);
    }
    return { bastion, shared: true };
  }

  /**
   * How to open streams by the route. The destination is resolved on the
   * far side (by the proxy or the bastion), so here it is checked by name
   * and literal only; the proxy's or bastion's own address is checked when
   * dialled, answers of its lookup included.
   */
  private opener(route: ConnectionRoute, options: TunnelOptions) {
    const { open, bastion, shared } = this.rawOpener(route, options);
    return {
      open: (target: { host: string; port: number }) => {
        const verdict = this.options.policy.checkHost(target.host);
        if (verdict)
          return Promise.reject(
            new TunnelError(
              'refused',
              `${ADDRESS_POLICY_REFUSAL} ${target.host}: ${verdict}`,
            ),
          );
        return open(target);
      },
      bastion,
      shared,
    };
  }

  private rawOpener(route: ConnectionRoute, options: TunnelOptions) {
    const timeoutMs =
      options.timeoutMs ?? this.options.settings.connectTimeoutMs;
    if (route.method === 'proxy') {
      return {
        open: (target: { host: string; port: number }) =>
          connectViaProxy(route, target, {
            timeoutMs,
            policy: this.options.policy,
          }) as Promise<Duplex>,
        bastion: undefined,
        shared: true,
      };
    }
    if (route.method === 'sshTunnel') {
      const { bastion, shared } = this.bastion(route, options);
      return {
        open: (target: { host: string; port: number }) =>
          bastion.forward(target, timeoutMs),
        bastion,
        shared,
      };
    }
    throw new TunnelError('refused', 'a direct connection needs no tunnel');
  }

  agentFor(route: ConnectionRoute, options: TunnelOptions = {}): TunnelHandle {
    return this.handle(route, options, open => new TunnelAgent(open));
  }

  plainAgentFor(
    route: ConnectionRoute,
    options: TunnelOptions = {},
  ): TunnelHandle<http.Agent> {
    return this.handle(route, options, open => new PlainTunnelAgent(open));
  }

  private handle<A extends http.Agent>(
    route: ConnectionRoute,
    options: TunnelOptions,
    makeAgent: (open: StreamOpener) => A,
  ): TunnelHandle<A> {
    const { open, bastion, shared } = this.opener(route, options);
    const agent = makeAgent(open);
    return {
      agent,
      hostKey: () => bastion?.hostKey,
      close: () => {
        agent.destroy();
        if (bastion && !shared) bastion.close();
      },
    };
  }

  private bridgeIdentity() {
    this.identity ??= createBridgeIdentity();
    return this.identity;
  }

  async loopbackFor(cluster: ClusterConnection): Promise<LoopbackEndpoint> {
    const url = new URL(cluster.serverUrl);
    const clientCert =
      cluster.auth.type === 'clientCertificate' ? cluster.auth : undefined;
    const upstream = {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port) || 443,
      ca: cluster.tls.caData ? pem(cluster.tls.caData) : undefined,
      cert: clientCert ? pem(clientCert.certData) : undefined,
      key: clientCert ? pem(clientCert.keyData) : undefined,
      rejectUnauthorized: !cluster.tls.insecureSkipTlsVerify,
    };
    const fingerprint = hash([upstream, cluster.connection]);
    const existing = this.bridges.get(cluster.name);
    if (existing?.fingerprint === fingerprint) return existing.endpoint;
    if (existing) {
      this.bridges.delete(cluster.name);
      closeBridge(existing.bridge);
    }
    if (cluster.tls.insecureSkipTlsVerify) {
      this.options.logger.warn(
        `cluster ${cluster.name}: TLS verification of the API server is disabled (insecureSkipTlsVerify); its tunnel does not verify it either`,
      );
    }
    const { open } = this.opener(cluster.connection, {});
    const identity = this.bridgeIdentity();
    const bridge = identity.then(
      id =>
        new TlsBridge(id, upstream, open, {
          logger: this.options.logger,
          label: `tunnel of cluster ${cluster.name}`,
          requireClientCertificate: !!clientCert,
          idleTimeoutMs: this.options.settings.bridgeIdleTimeoutMs,
          connectTimeoutMs: this.options.settings.connectTimeoutMs,
        }),
    );
    const endpoint = bridge.then(async b => {
      const [port, id] = await Promise.all([b.listen(), identity]);
      return {
        url: `https://127.0.0.1:${port}`,
        caData: b64(id.caPem),
        ...(clientCert && {
          clientCert: {
            certData: b64(id.client.cert),
            keyData: b64(id.client.key),
          },
        }),
      };
    });
    // Set before anything is awaited: a concurrent call finds this entry.
    this.bridges.set(cluster.name, { fingerprint, bridge, endpoint });
    endpoint.catch(() => {
      if (this.bridges.get(cluster.name)?.endpoint === endpoint)
        this.bridges.delete(cluster.name);
    });
    return endpoint;
  }

  retainLoopbacks(clusters: ClusterConnection[]): void {
    const keep = new Set(
      clusters.filter(c => c.connection.method !== 'direct').map(c => c.name),
    );
    for (const [name, entry] of this.bridges) {
      if (!keep.has(name)) {
        this.bridges.delete(name);
        closeBridge(entry.bridge);
      }
    }
    this.dropIdleBastions();
  }

  /** Forgets bastions whose connection closed and that no bridge uses. */
  private dropIdleBastions() {
    for (const [key, bastion] of this.bastions) {
      if (bastion.idle) this.bastions.delete(key);
    }
  }

  /** Closes every bridge and SSH connection (at shutdown). */
  async close() {
    await Promise.all(
      [...this.bridges.values()].map(b =>
        b.bridge.then(x => x.close()).catch(() => undefined),
      ),
    );
    this.bridges.clear();
    for (const b of this.bastions.values()) b.close();
    this.bastions.clear();
  }
}

/**
 * The tunnels of this process, shared by the registry backend, the
 * Kubernetes module and any other plugin (root scope: one SSH connection
 * per bastion for the whole process).
 *
 * @public
 */
export const clusterConnectionsServiceRef =
  createServiceRef<ClusterConnectionsService>({
    id: 'cluster-registry.connections',
    scope: 'root',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: {
          config: coreServices.rootConfig,
          logger: coreServices.rootLogger,
          lifecycle: coreServices.rootLifecycle,
        },
        factory({ config, logger, lifecycle }) {
          const connections = DefaultClusterConnectionsService.fromConfig(
            config,
            logger.child({ service: 'cluster-registry-connections' }),
          );
          lifecycle.addShutdownHook(() => connections.close());
          return connections;
        },
      }),
  });
