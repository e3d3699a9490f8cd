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
