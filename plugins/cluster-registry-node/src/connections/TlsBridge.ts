import { LoggerService } from '@backstage/backend-plugin-api';
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { BridgeIdentity } from './bridgeCertificates';
import { StreamOpener } from './TunnelAgent';

/** The API server behind a bridge and how to verify it. */
export interface BridgeUpstream {
  host: string;
  port: number;
  /** PEM of the CA to trust; the system's CAs when absent. */
  ca?: string;
  /** The client certificate to present upstream (client-certificate clusters). */
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
}

const MAX_REQUEST_HEAD = 64 * 1024;

/**
 * A loopback TLS endpoint for one cluster, for clients that can only be
 * given a URL and a CA (the Kubernetes plugin). It presents this process's
 * bridge certificate for 127.0.0.1; each connection is carried over a stream
 * from `open` (an HTTP CONNECT tunnel, an SSH channel) and TLS is started
 * again inside it with the API server, verified against the cluster's CA
 * under the server's own name, never skipped because traffic is tunnelled.
 * Bytes are piped both ways, so keep-alive, watches and websocket upgrades
 * pass unchanged. When the upstream cannot be reached, the client gets a 502
 * whose Kubernetes Status message says why, instead of a reset.
 *
 * With `requireClientCertificate` (client-certificate clusters, whose
 * identity the bridge presents upstream), only a client holding the bridge
 * client certificate is served.
 */
export class TlsBridge {
  private readonly server: tls.Server;
  private readonly sockets = new Set<Duplex>();
  private port?: Promise<number>;
  /**
   * The API server's latest TLS session ticket: the next upstream
   * connection resumes it (an abbreviated handshake), since the Kubernetes
   * plugin's /proxy opens a new connection for every request.
   */
  private session?: Buffer;

  constructor(
    identity: BridgeIdentity,
    private readonly upstream: BridgeUpstream,
    private readonly open: StreamOpener,
    private readonly options: {
      logger: LoggerService;
      label: string;
      requireClientCertificate: boolean;
      idleTimeoutMs: number;
      connectTimeoutMs: number;
    },
  ) {
    this.server = tls.createServer(
      {
        cert: identity.server.cert,
        key: identity.server.key,
        ALPNProtocols: ['http/1.1'],
        ...(options.requireClientCertificate
          ? { requestCert: true, rejectUnauthorized: true, ca: identity.caPem }
          : {}),
      },
      inbound => this.serve(inbound),
    );
    this.server.on('tlsClientError', () => {
      // a client without the bridge certificate, or not speaking TLS
    });
  }

  /** Listens on 127.0.0.1 (a port of the system's choosing) once; the port. */
  listen(): Promise<number> {
    this.port ??= new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () =>
        resolve((this.server.address() as net.AddressInfo).port),
      );
    });
    return this.port;
  }

  private track(socket: Duplex) {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private serve(inbound: tls.TLSSocket) {
    this.track(inbound);
    inbound.setTimeout(this.options.idleTimeoutMs, () => inbound.destroy());
    inbound.on('error', () => inbound.destroy());
    // Hold what the client sends until the upstream is ready.
    inbound.pause();
    const { upstream } = this;
    const failed = (reason: string) => {
      this.options.logger.warn(`${this.options.label}: ${reason}`);
      answer502(inbound, reason);
    };
    this.openUpstream().then(
      up => {
        if (inbound.destroyed) {
          // The client left while the tunnel was being opened.
          up.destroy();
          return;
        }
        this.track(up);
        up.on('error', () => inbound.destroy());
        inbound.on('close', () => up.destroy());
        up.on('close', () => inbound.destroy());
        inbound.pipe(up);
        up.pipe(inbound);
        inbound.resume();
      },
      (error: Error) =>
        failed(
          `cannot reach ${upstream.host}:${upstream.port}: ${error.message}`,
        ),
    );
  }

  private openUpstream(): Promise<tls.TLSSocket> {
    const { upstream } = this;
    return this.open({ host: upstream.host, port: upstream.port }).then(
      raw =>
        new Promise<tls.TLSSocket>((resolve, reject) => {
          const up = tls.connect({
            socket: raw,
            host: upstream.host,
            servername: net.isIP(upstream.host) ? undefined : upstream.host,
            ca: upstream.ca,
            cert: upstream.cert,
            key: upstream.key,
            rejectUnauthorized: upstream.rejectUnauthorized,
            ALPNProtocols: ['http/1.1'],
            session: this.session,
          });
          up.on('session', (session: Buffer) => {
            this.session = session;
          });
          const timer = setTimeout(() => {
            up.destroy();
            reject(new Error('no TLS handshake with the API server in time'));
          }, this.options.connectTimeoutMs);
          up.once('secureConnect', () => {
            clearTimeout(timer);
            resolve(up);
          });
          up.once('error', e => {
            clearTimeout(timer);
            raw.destroy();
            reject(
              new Error(
                `TLS with the API server failed: ${(e as Error).message}`,
              ),
            );
          });
        }),
    );
  }

  /** Stops listening and closes every connection. */
  async close() {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }
}

/**
 * Reads the request head (so the client is listening for an answer), then
 * answers 502 with a Kubernetes Status naming the reason, and closes.
 */
function answer502(inbound: tls.TLSSocket, reason: string) {
  let head = '';
  const reply = () => {
    inbound.removeAllListeners('data');
    const body = JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `cluster-registry tunnel: ${reason}`,
      reason: 'ServiceUnavailable',
      code: 502,
    });
    inbound.end(
      `HTTP/1.1 502 Bad Gateway\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(
        body,
      )}\r\nconnection: close\r\n\r\n${body}`,
    );
  };
  const timer = setTimeout(reply, 5_000);
  inbound.on('data', (chunk: Buffer) => {
    head += chunk.toString('latin1');
    if (head.includes('\r\n\r\n') || head.length > MAX_REQUEST_HEAD) {
      clearTimeout(timer);
      reply();
    }
  });
  inbound.once('close', () => clearTimeout(timer));
  inbound.resume();
}
