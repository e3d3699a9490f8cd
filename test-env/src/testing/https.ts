import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';

export interface HttpsResult {
  status: number;
  body: string;
}

/**
 * GET over TLS on an already-open socket (an SSH channel or a CONNECT tunnel),
 * or directly when no socket is given. Used by the self-checks to prove a path
 * reaches the API server.
 */
export function httpsGet(
  url: string,
  opts: {
    ca?: string;
    token?: string;
    cert?: string;
    key?: string;
    socket?: net.Socket | NodeJS.ReadWriteStream;
  },
): Promise<HttpsResult> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        ca: opts.ca,
        cert: opts.cert,
        key: opts.key,
        headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
        agent: false,
        ...(opts.socket
          ? {
              createConnection: () =>
                tls.connect({
                  socket: opts.socket as net.Socket,
                  host: u.hostname, // the name the certificate is checked against
                  servername: net.isIP(u.hostname) ? undefined : u.hostname,
                  ca: opts.ca,
                  cert: opts.cert,
                  key: opts.key,
                }),
            }
          : {}),
      },
      res => {
        let body = '';
        res.on('data', d => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Opens an HTTP CONNECT tunnel to host:port through a proxy. */
export function connectThroughProxy(
  proxyUrl: string,
  host: string,
  port: number,
): Promise<net.Socket> {
  const p = new URL(proxyUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: p.hostname,
      port: p.port,
      method: 'CONNECT',
      path: `${host}:${port}`,
    });
    req.on('connect', (res, socket) => {
      if (res.statusCode === 200) resolve(socket);
      else reject(new Error(`proxy answered ${res.statusCode}`));
    });
    req.on('error', reject);
    req.end();
  });
}
