import { rootHttpRouterServiceFactory } from '@backstage/backend-defaults/rootHttpRouter';
import http from 'node:http';
import { Duplex } from 'node:stream';

/**
 * Backend base paths whose plugin answers websocket upgrades from a listener
 * of its own on the HTTP server's `upgrade` event, and leaves every other
 * upgrade request unanswered. Today that is the signals backend.
 */
const SELF_LISTENING = ['/api/signals'];

/**
 * Sends the HTTP server's upgrade requests through the Express app, as Node
 * does by itself while no `upgrade` listener exists.
 *
 * Why the demo backend needs it: the Kubernetes backend takes its /proxy
 * websocket upgrades (watch, exec) through Express routing. The signals
 * backend subscribes to the server's `upgrade` event on its first websocket
 * and from then on Node delivers every upgrade request there, not to
 * Express; signals ignores those that are not its own, so every later /proxy
 * upgrade hung unanswered, for direct and tunnelled clusters alike, as soon
 * as one browser had opened the portal.
 *
 * The rule: an upgrade to a self-listening path is left to its plugin's
 * listener once that listener is attached (before, it goes through Express,
 * where signals attaches it); every other upgrade request goes through
 * Express. An upgrade no route takes gets Express's answer, a 404, instead of
 * hanging.
 */
export function routeUpgradesThroughApp(
  server: http.Server,
  app: http.RequestListener,
) {
  const dispatch = (
    req: http.IncomingMessage,
    socket: Duplex,
    head: Buffer,
  ) => {
    // The signals backend's own test: its base URL ends with the request URL.
    const selfListening =
      !!req.url && SELF_LISTENING.some(p => p.endsWith(req.url!));
    const othersListen = server
      .listeners('upgrade')
      .some(listener => listener !== dispatch);
    if (selfListening && othersListen) return;

    if (head.length > 0) socket.unshift(head);
    const res = new http.ServerResponse(req);
    res.assignSocket(socket as any);
    // No HTTP parser reads this socket any more: an answer ends it. A route
    // that upgrades writes to the socket itself and never finishes `res`.
    res.once('finish', () => socket.end());
    socket.once('error', () => socket.destroy());
    app(req, res);
  };
  server.on('upgrade', dispatch);
}

/** The root HTTP router of the demo backend: the defaults, plus {@link routeUpgradesThroughApp}. */
export const rootHttpRouterWithUpgradeRouting = rootHttpRouterServiceFactory({
  configure({ app, server, applyDefaults }) {
    routeUpgradesThroughApp(server, app);
    applyDefaults();
  },
});
