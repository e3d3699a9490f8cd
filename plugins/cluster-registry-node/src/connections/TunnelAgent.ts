import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';

/** Opens a byte stream to host:port by some route (a proxy, a bastion). */
export type StreamOpener = (target: {
  host: string;
  port: number;
}) => Promise<Duplex>;

/**
 * An `https.Agent` whose connections run over streams from `open` (an HTTP
 * CONNECT tunnel, an SSH channel) instead of TCP. TLS runs inside the stream,
 * end to end with the server, with every TLS option of the request (CA,
 * client certificate, `rejectUnauthorized`) and the server's own name for SNI
 * and the certificate check: `servername`, else the host when it is a name.
 */
export class TunnelAgent extends https.Agent {
  constructor(
    private readonly open: StreamOpener,
    options: https.AgentOptions = {},
  ) {
    super({ keepAlive: true, ...options });
  }

  createConnection(
    options: tls.ConnectionOptions & { host?: string; port?: number | string },
    callback: (err: Error | null, socket?: Duplex) => void,
  ): undefined {
    const host = String(options.host ?? 'localhost').replace(/^\[|\]$/g, '');
    const port = Number(options.port) || 443;
    this.open({ host, port }).then(
      raw => {
        const { path: _path, ...rest } = options as Record<string, unknown>;
        const socket = tls.connect({
          ...(rest as tls.ConnectionOptions),
          socket: raw,
          host,
          servername: options.servername || (net.isIP(host) ? undefined : host),
          ALPNProtocols: ['http/1.1'],
        });
        callback(null, socket);
      },
      error => callback(error),
    );
    return undefined;
  }
}

/**
 * An `http.Agent` for plain-HTTP servers (an anonymous Prometheus) whose
 * connections are streams from `open` instead of TCP.
 */
export class PlainTunnelAgent extends http.Agent {
  constructor(
    private readonly open: StreamOpener,
    options: http.AgentOptions = {},
  ) {
    super({ keepAlive: true, ...options });
  }

  createConnection(
    options: { host?: string; port?: number | string },
    callback: (err: Error | null, socket?: Duplex) => void,
  ): undefined {
    const host = String(options.host ?? 'localhost').replace(/^\[|\]$/g, '');
    this.open({ host, port: Number(options.port) || 80 }).then(
      raw => callback(null, socketLike(raw)),
      error => callback(error),
    );
    return undefined;
  }
}

/**
 * What Node's HTTP client calls on a socket besides reading and writing,
 * for a stream that is not one (an SSH channel): `setTimeout` emits
 * 'timeout' after that long without data, the others do nothing. A TCP
 * socket (a CONNECT tunnel) is returned as it is.
 */
function socketLike(stream: Duplex): Duplex {
  const s = stream as Duplex & Record<string, any>;
  if (typeof s.setTimeout === 'function') return s;
  let timer: NodeJS.Timeout | undefined;
  let idleMs = 0;
  const arm = () => {
    clearTimeout(timer);
    if (idleMs > 0) timer = setTimeout(() => s.emit('timeout'), idleMs);
  };
  s.on('data', arm);
  s.once('close', () => clearTimeout(timer));
  s.setTimeout = (ms: number, onTimeout?: () => void) => {
    idleMs = ms;
    if (onTimeout) s.once('timeout', onTimeout);
    arm();
    return s;
  };
  s.setNoDelay = () => s;
  s.setKeepAlive = () => s;
  s.ref = () => s;
  s.unref = () => s;
  return s;
}
