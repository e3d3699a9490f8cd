import net from 'node:net';
import tls from 'node:tls';
import { AddressPolicy } from '../network/AddressPolicy';
import { openingAttempt } from './openingAttempt';
import { dialFailure, TunnelError } from './TunnelError';

/** At most this much of a proxy's answer to CONNECT is read. */
const MAX_HEAD = 16 * 1024;

export interface ProxyRoute {
  proxyUrl: string;
  username?: string;
  password?: string;
}

/** host:port as a CONNECT request names it (IPv6 in brackets). */
export function authority(host: string, port: number) {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * A byte stream to `target` through an HTTP CONNECT proxy (http:// or
 * https://, Basic credentials if given). The proxy's address passes the
 * address policy; the target is resolved by the proxy, in its network.
 * Whatever runs over the stream (TLS to the API server) is end to end.
 */
export function connectViaProxy(
  route: ProxyRoute,
  target: { host: string; port: number },
  options: { timeoutMs: number; policy: AddressPolicy },
): Promise<net.Socket> {
  const proxy = new URL(route.proxyUrl);
  const proxyName = `the proxy ${proxy.host}`;
  const port = Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80);
  const host = proxy.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    try {
      options.policy.assertDialable(host);
    } catch (e) {
      reject(new TunnelError('refused', (e as Error).message));
      return;
    }
    const socket: net.Socket =
      proxy.protocol === 'https:'
        ? tls.connect({
            host,
            port,
            servername: net.isIP(host) ? undefined : host,
            lookup: options.policy.lookup,
            ALPNProtocols: ['http/1.1'],
          })
        : net.connect({ host, port, lookup: options.policy.lookup });
    const attempt = openingAttempt<net.Socket>({
      resolve,
      reject,
      timeoutMs: options.timeoutMs,
      timeout: () =>
        new TunnelError(
          'timeout',
          `${proxyName} did not open a tunnel to ${authority(
            target.host,
            target.port,
          )} within ${options.timeoutMs} ms`,
        ),
      abort: () => socket.destroy(),
    });
    const fail = attempt.fail;
    const onError = (e: NodeJS.ErrnoException) =>
      fail(dialFailure(e, proxyName));
    const onClose = () =>
      fail(
        new TunnelError(
          'unreachable',
          `${proxyName} closed the connection before answering CONNECT`,
        ),
      );
    socket.once('error', onError);
    socket.once('close', onClose);
    socket.once(
      proxy.protocol === 'https:' ? 'secureConnect' : 'connect',
      () => {
        const to = authority(target.host, target.port);
        const headers = [`CONNECT ${to} HTTP/1.1`, `Host: ${to}`];
        if (route.username !== undefined || route.password !== undefined) {
          const basic = Buffer.from(
            `${route.username ?? ''}:${route.password ?? ''}`,
          ).toString('base64');
          headers.push(`Proxy-Authorization: Basic ${basic}`);
        }
        socket.write(`${headers.join('\r\n')}\r\n\r\n`);
      },
    );
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_HEAD)
          fail(
            new TunnelError(
              'unreachable',
              `${proxyName} sent an answer to CONNECT longer than ${MAX_HEAD} bytes`,
            ),
          );
        return;
      }
      socket.off('data', onData);
      socket.pause();
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(
        head.subarray(0, end).toString('latin1'),
      );
      const code = status ? Number(status[1]) : 0;
      if (code !== 200) {
        const what = authority(target.host, target.port);
        if (code === 407)
          fail(
            new TunnelError(
              'auth',
              route.username
                ? `${proxyName} rejected the proxy credentials (407)`
                : `${proxyName} requires credentials (407): give the proxy username and password`,
            ),
          );
        else
          fail(
            new TunnelError(
              code ? 'refused' : 'unreachable',
              code
                ? `${proxyName} refused to connect to ${what} (${code})`
                : `${proxyName} did not answer CONNECT like an HTTP proxy`,
            ),
          );
        return;
      }
      // Only this function's own listeners: Node's stay.
      socket.off('close', onClose);
      socket.off('error', onError);
      const rest = head.subarray(end + 4);
      if (rest.length) socket.unshift(rest);
      attempt.succeed(socket);
    };
    socket.on('data', onData);
  });
}
