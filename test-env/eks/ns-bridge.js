/*
 * Part of the test environment's EKS stand-in (src/services/eks.ts), not of
 * the product. Runs inside the stand-in's network namespace, which has only a
 * loopback interface, and joins it to the host by Unix sockets (a socket file
 * is reachable from every network namespace):
 *
 *   node ns-bridge.js '[{"listen":443,"connect":"/state/sts.sock"}, {"listen":"/state/webhook.sock","connect":21362}]'
 *
 * A number is a TCP port on 127.0.0.1 of the namespace, a string a Unix
 * socket. Bytes are copied both ways unchanged (TLS passes through). Prints
 * "ready" once every listener is up.
 */
'use strict';
const fs = require('node:fs');
const net = require('node:net');

const routes = JSON.parse(process.argv[2]);
const endpoint = x =>
  typeof x === 'number' ? { host: '127.0.0.1', port: x } : { path: x };

Promise.all(
  routes.map(
    ({ listen, connect }) =>
      new Promise((resolve, reject) => {
        if (typeof listen === 'string') fs.rmSync(listen, { force: true });
        const server = net.createServer(client => {
          const upstream = net.connect(endpoint(connect));
          client.pipe(upstream).pipe(client);
          const close = () => {
            client.destroy();
            upstream.destroy();
          };
          client.on('error', close);
          upstream.on('error', close);
        });
        server.on('error', reject);
        server.listen(endpoint(listen), resolve);
      }),
  ),
).then(
  () => console.log('ready'),
  e => {
    console.error(String(e));
    process.exit(1);
  },
);
for (const signal of ['SIGTERM', 'SIGINT'])
  process.on(signal, () => process.exit(0));
