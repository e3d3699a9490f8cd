import http from 'node:http';
import net from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { routeUpgradesThroughApp } from './upgradeRouting';

/**
 * A real HTTP server whose app behaves as the demo backend's plugins do:
 * `/api/kubernetes/proxy` upgrades through app routing (the Kubernetes
 * backend), and `/api/signals` subscribes to the server's `upgrade` event on
 * its first websocket request and from then on answers only its own path
 * there (the signals backend's upgradeMiddleware).
 */
function portal(withRouting: boolean) {
  const wss = new WebSocketServer({ noServer: true });
  let signalsListening = false;
  const server = http.createServer();
  const app: http.RequestListener = (req, res) => {
    const isUpgrade = req.headers.upgrade?.toLowerCase() === 'websocket';
    if (req.url === '/api/signals' && isUpgrade) {
      if (!signalsListening) {
        signalsListening = true;
        server.on('upgrade', (r, socket, head) => {
          if (r.url !== '/api/signals') return;
          wss.handleUpgrade(r, socket, head, ws => ws.send('signals'));
        });
      }
      return; // as upstream: the first request is left to the client's retry
    }
    if (req.url?.startsWith('/api/kubernetes/proxy') && isUpgrade) {
      wss.handleUpgrade(req, req.socket, Buffer.alloc(0), ws =>
        ws.send('proxy'),
      );
      return;
    }
    res.statusCode = 404;
    res.end('not found');
  };
  server.on('request', app);
  const sockets = new Set<net.Socket>();
  server.on('connection', socket => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  if (withRouting) routeUpgradesThroughApp(server, app);
  return new Promise<{ url: string; close: () => Promise<void> }>(resolve =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
        close: () =>
          new Promise<void>(r => {
            for (const socket of sockets) socket.destroy();
            server.close(() => r());
          }),
      }),
    ),
  );
}

/** The first message, the HTTP status of a refused upgrade, or 'no answer'. */
function open(url: string, waitMs = 1000): Promise<string> {
  return new Promise(resolve => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.terminate();
      resolve('no answer');
    }, waitMs);
    const done = (value: string) => {
      clearTimeout(timer);
      ws.terminate();
      resolve(value);
    };
    ws.once('message', data => done(String(data)));
    ws.once('unexpected-response', (_req, res) => done(`${res.statusCode}`));
    ws.once('error', e => done(`error: ${e.message}`));
  });
}

describe('routeUpgradesThroughApp', () => {
  it('is needed: without it, once signals listens, a /proxy upgrade is never answered', async () => {
    const { url, close } = await portal(false);
    try {
      expect(
        await open(`${url}/api/kubernetes/proxy/api/v1/pods?watch=1`),
      ).toBe('proxy');
      await open(`${url}/api/signals`, 200); // signals subscribes
      expect(await open(`${url}/api/signals`)).toBe('signals');
      expect(
        await open(`${url}/api/kubernetes/proxy/api/v1/pods?watch=1`),
      ).toBe('no answer');
    } finally {
      await close();
    }
  });

  it('sends /proxy upgrades through the app before and after signals listens, and leaves signals its own', async () => {
    const { url, close } = await portal(true);
    try {
      const proxy = `${url}/api/kubernetes/proxy/api/v1/pods?watch=1`;
      expect(await open(proxy)).toBe('proxy');
      await open(`${url}/api/signals`, 200); // through the app: signals subscribes
      expect(await open(`${url}/api/signals`)).toBe('signals');
      expect(await open(proxy)).toBe('proxy');
      expect(await open(`${url}/api/signals`)).toBe('signals');
    } finally {
      await close();
    }
  });

  it('answers an upgrade no route takes with the app answer instead of hanging', async () => {
    const { url, close } = await portal(true);
    try {
      expect(await open(`${url}/api/nothing-here`)).toBe('404');
      await open(`${url}/api/signals`, 200); // signals subscribes
      // not signals' path: signals' listener ignores it, the app answers
      expect(await open(`${url}/api/signalsX`)).toBe('404');
    } finally {
      await close();
    }
  });
});
