import { LoggerService } from '@backstage/backend-plugin-api';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { BridgeIdentity } from './bridgeCertificates';
import { StreamOpener, TunnelAgent } from './TunnelAgent';

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

/** Headers of one hop, not forwarded (RFC 9110 7.6.1), plus those the connection header names. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * The end-to-end headers of a message, each with every value it came with
 * (a repeated header such as Impersonate-Group stays repeated, not joined).
 */
function forwardable(message: http.IncomingMessage) {
  const headers = message.headersDistinct;
  const named = new Set(
    (headers.connection ?? [])
      .join(',')
      .split(',')
      .map(t => t.trim().toLowerCase())
      .filter(Boolean),
  );
  return Object.fromEntries(
    Object.entries(headers).filter(
      ([k]) => !HOP_BY_HOP.has(k) && !named.has(k),
    ),
  ) as Record<string, string[]>;
}

/** Requests that may be sent again when a kept connection turned out closed. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);

/** host:port for a Host header (IPv6 literals in brackets). */
const hostHeader = (host: string, port: number) =>
  `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;

/** After this long unused, a kept upstream connection is closed (servers close idle ones after 60 s or more). */
const UPSTREAM_IDLE_MS = 15_000;

/**
 * A loopback TLS endpoint for one cluster, for clients that can only be
 * given a URL and a CA (the Kubernetes plugin). It presents this process's
 * bridge certificate for 127.0.0.1 and forwards each HTTP request to the API
 * server over a tunnel from `open` (an HTTP CONNECT tunnel, an SSH channel),
 * with TLS started again inside it, verified against the cluster's CA under
 * the server's own name, never skipped because traffic is tunnelled.
 *
 * Upstream connections are kept alive and reused (the Kubernetes plugin's
 * /proxy opens a new connection to the bridge for every request; the bridge
 * does not open a new tunnel for each). Responses stream, so watches pass;
 * an upgrade (websocket watch, exec) gets a tunnel and TLS connection of its
 * own, and bytes are piped both ways after the request head. When the
 * upstream cannot be reached, the client gets a 502 whose Kubernetes Status
 * message says why, instead of a reset.
 *
 * With `requireClientCertificate` (client-certificate clusters, whose
 * identity the bridge presents upstream), only a client holding the bridge
 * client certificate is served.
 */
export class TlsBridge {
  private readonly server: https.Server;
  private readonly sockets = new Set<Duplex>();
  private readonly agent: TunnelAgent;
  private port?: Promise<number>;
  /** The API server and how to verify it, for every upstream connection. */
  private readonly tlsTarget: https.RequestOptions & tls.ConnectionOptions;
  /**
   * The API server's latest TLS session ticket, for the connections of
   * upgrades (the agent keeps its own for the pooled ones).
   */
  private session?: Buffer;

  constructor(
    identity: BridgeIdentity,
    private readonly upstream: BridgeUpstream,
    open: StreamOpener,
    private readonly options: {
      logger: LoggerService;
      label: string;
      requireClientCertificate: boolean;
      idleTimeoutMs: number;
      connectTimeoutMs: number;
    },
  ) {
    this.tlsTarget = {
      host: upstream.host,
      port: upstream.port,
      servername: net.isIP(upstream.host) ? undefined : upstream.host,
      ca: upstream.ca,
      cert: upstream.cert,
      key: upstream.key,
      rejectUnauthorized: upstream.rejectUnauthorized,
    };
    this.agent = new TunnelAgent(open, { keepAlive: true, maxFreeSockets: 32 });
    // A kept connection unused for UPSTREAM_IDLE_MS is closed by the agent.
    this.agent.on('free', (socket: net.Socket) =>
      socket.setTimeout(UPSTREAM_IDLE_MS),
    );
    this.server = https.createServer(
      {
        cert: identity.server.cert,
        key: identity.server.key,
        ALPNProtocols: ['http/1.1'],
        ...(options.requireClientCertificate
          ? { requestCert: true, rejectUnauthorized: true, ca: identity.caPem }
          : {}),
      },
      (req, res) => this.forward(req, res),
    );
    this.server.keepAliveTimeout = options.idleTimeoutMs;
    this.server.headersTimeout = 60_000;
    // Watches stream for as long as the client keeps them.
    this.server.requestTimeout = 0;
    this.server.on('connection', (socket: net.Socket) => this.track(socket));
    this.server.on('upgrade', (req, socket, head) =>
      this.upgrade(req, socket, head),
    );
    this.server.on('tlsClientError', () => {
      // a client without the bridge certificate, or not speaking TLS
    });
    this.server.on('clientError', (_e, socket) => socket.destroy());
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

  private failed(reason: string) {
    this.options.logger.warn(`${this.options.label}: ${reason}`);
    return `cannot reach ${this.upstream.host}:${this.upstream.port}: ${reason}`;
  }

  /** One request, over a kept (or new) upstream connection; retried once if a kept one was closed under it. */
  private forward(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    retry = true,
  ) {
    const { upstream } = this;
    const bodyless =
      !req.headers['transfer-encoding'] &&
      (req.headers['content-length'] ?? '0') === '0';
    const up = https.request({
      agent: this.agent,
      ...this.tlsTarget,
      method: req.method,
      path: req.url,
      headers: {
        ...forwardable(req),
        host: hostHeader(upstream.host, upstream.port),
      },
    });
    up.once('socket', (socket: tls.TLSSocket) => {
      socket.setTimeout(0); // a watch may be quiet for long
      // A kept connection has done its handshake; only a new one is timed.
      if (up.reusedSocket) return;
      const timer = setTimeout(
        () =>
          up.destroy(new Error('no TLS handshake with the API server in time')),
        this.options.connectTimeoutMs,
      );
      socket.once('secureConnect', () => clearTimeout(timer));
      socket.once('close', () => clearTimeout(timer));
    });
    up.on('response', upRes => {
      res.writeHead(
        upRes.statusCode ?? 502,
        upRes.statusMessage,
        forwardable(upRes),
      );
      upRes.pipe(res);
      upRes.on('error', () => res.destroy());
    });
    up.on('error', (error: Error & { code?: string }) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // The client left first: nobody to answer, nothing to retry.
      if (res.destroyed || res.writableEnded) return;
      // A kept connection the server (or tunnel) had closed meanwhile: an
      // idempotent request without a body goes once more, on a new one.
      if (
        retry &&
        bodyless &&
        IDEMPOTENT.has(req.method ?? '') &&
        up.reusedSocket &&
        error.code === 'ECONNRESET'
      ) {
        this.forward(req, res, false);
        return;
      }
      answer502(res, this.failed(tlsReason(error)));
    });
    // The client left (a watch closed): end the upstream request too.
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    if (bodyless) up.end();
    else req.pipe(up);
  }

  /** An upgrade: a tunnel of its own, the request head replayed, then bytes both ways. */
  private upgrade(req: http.IncomingMessage, inbound: Duplex, head: Buffer) {
    this.track(inbound);
    inbound.on('error', () => inbound.destroy());
    this.openUpstream().then(
      up => {
        if (inbound.destroyed) {
          up.destroy();
          return;
        }
        this.track(up);
        up.on('error', () => inbound.destroy());
        inbound.on('close', () => up.destroy());
        up.on('close', () => inbound.destroy());
        const lines = [`${req.method} ${req.url} HTTP/1.1`];
        for (let i = 0; i < req.rawHeaders.length; i += 2) {
          const name = req.rawHeaders[i];
          lines.push(
            `${name}: ${
              name.toLowerCase() === 'host'
                ? hostHeader(this.upstream.host, this.upstream.port)
                : req.rawHeaders[i + 1]
            }`,
          );
        }
        up.write(`${lines.join('\r\n')}\r\n\r\n`);
        if (head.length) up.write(head);
        inbound.pipe(up);
        up.pipe(inbound);
      },
      (error: Error) => {
        const body = statusBody(this.failed(error.message));
        inbound.end(
          `HTTP/1.1 502 Bad Gateway\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(
            body,
          )}\r\nconnection: close\r\n\r\n${body}`,
        );
      },
    );
  }

  /** A connection of its own (for an upgrade), TLS done, by the agent's own way of opening one. */
  private openUpstream(): Promise<tls.TLSSocket> {
    return new Promise<tls.TLSSocket>((resolve, reject) => {
      this.agent.createConnection(
        { ...this.tlsTarget, session: this.session },
        (openError, socket) => {
          if (openError || !socket) {
            reject(openError ?? new Error('no tunnel'));
            return;
          }
          const up = socket as tls.TLSSocket;
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
            up.destroy();
            reject(
              new Error(
                `TLS with the API server failed: ${(e as Error).message}`,
              ),
            );
          });
        },
      );
    });
  }

  /** Stops listening and closes every connection. */
  async close() {
    this.agent.destroy();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }
}

/** A Kubernetes Status naming why the tunnel failed. */
function statusBody(reason: string) {
  return JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `cluster-registry tunnel: ${reason}`,
    reason: 'ServiceUnavailable',
    code: 502,
  });
}

function answer502(res: http.ServerResponse, reason: string) {
  res.writeHead(502, {
    'content-type': 'application/json',
    connection: 'close',
  });
  res.end(statusBody(reason));
}

/** What a failed upstream TLS connection says, in the words verification uses. */
function tlsReason(error: Error) {
  return /certificate|self.signed|altname|hostname|CERT_|UNABLE_TO/i.test(
    `${(error as any).code ?? ''} ${error.message}`,
  )
    ? `TLS with the API server failed: ${error.message}`
    : error.message;
}
