import { LoggerService } from '@backstage/backend-plugin-api';
import { SshHostKeySeen } from '@cluster-registry/plugin-cluster-registry-common';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { Client, ClientChannel } from 'ssh2';
import { AddressPolicy } from '../network/AddressPolicy';
import { describeHostKey, HostKeyPins } from './hostKeys';
import { openingAttempt } from './openingAttempt';
import { dialFailure, TunnelError } from './TunnelError';

/** An SSH bastion and how to log in to it (the contract's sshTunnel settings, secrets included). */
export interface SshRoute {
  host: string;
  port: number;
  username: string;
  password?: string;
  privateKey?: string;
  passphrase?: string;
  hostKeys: string[];
}

export interface SshBastionOptions {
  policy: AddressPolicy;
  logger: LoggerService;
  /** Close the SSH connection after this long without an open channel. */
  idleTimeoutMs: number;
  keepaliveIntervalMs: number;
  /** Accept an unpinned key (a verification before anything is pinned); never for a pooled bastion. */
  trustUnpinned?: boolean;
}

const MAX_BACKOFF_MS = 10_000;

/** What ssh2 answers a channel request on a connection that has ended. */
const LOST = /^(No response from server|Not connected)$/;

/** A channel refused because the SSH connection itself is gone. */
class ConnectionLost extends TunnelError {}

/**
 * One SSH connection to a bastion, opened on first use and shared by every
 * channel to the clusters behind it. The host key is checked against the
 * pins during the key exchange, before authentication; a mismatch fails
 * with the key the bastion presented. Keep-alives detect a dead bastion; a
 * lost connection is reopened on the next use, after a backoff that grows
 * with each failure; the connection closes when no channel has been open
 * for `idleTimeoutMs`.
 */
export class SshBastion {
  private client?: Client;
  private connecting?: Promise<Client>;
  private channels = 0;
  private idleTimer?: NodeJS.Timeout;
  private failures = 0;
  private retryAt = 0;
  private lastError?: TunnelError;
  private closed = false;
  /** The host key presented on the last key exchange. */
  hostKey?: SshHostKeySeen;

  constructor(
    private readonly route: SshRoute,
    private readonly options: SshBastionOptions,
  ) {}

  private get label() {
    return `the SSH bastion ${this.route.username}@${this.route.host}:${this.route.port}`;
  }

  /** A direct-tcpip channel to host:port, opened by the bastion in its network. */
  async forward(
    target: { host: string; port: number },
    timeoutMs: number,
  ): Promise<Duplex> {
    const deadline = Date.now() + timeoutMs;
    const client = await this.connect(timeoutMs);
    try {
      return await this.openChannel(client, target, deadline, timeoutMs);
    } catch (e) {
      // The pooled connection died under us (the bastion restarted, a
      // network blip not yet seen by the keep-alives): one fresh connection.
      if (!(e instanceof ConnectionLost) || Date.now() >= deadline) throw e;
      if (this.client === client) this.client = undefined;
      client.end();
      const fresh = await this.connect(deadline - Date.now());
      return this.openChannel(fresh, target, deadline, timeoutMs);
    }
  }

  private async openChannel(
    client: Client,
    target: { host: string; port: number },
    deadline: number,
    timeoutMs: number,
  ): Promise<Duplex> {
    const left = Math.max(1, deadline - Date.now());
    const channel = await new Promise<ClientChannel>((resolve, reject) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        reject(
          new TunnelError(
            'timeout',
            `${this.label} did not open a channel to ${target.host}:${target.port} within ${timeoutMs} ms`,
          ),
        );
      }, left);
      const done = (err: Error | undefined, ch?: ClientChannel) => {
        clearTimeout(timer);
        if (timedOut) {
          // Too late: nobody waits for it any more.
          ch?.close();
          return;
        }
        if (err || !ch) {
          const text = String(err?.message ?? err);
          if (LOST.test(text)) {
            reject(
              new ConnectionLost(
                'unreachable',
                `${this.label} closed the connection (${text})`,
              ),
            );
            return;
          }
          reject(
            new TunnelError(
              /prohibited/i.test(text) ? 'refused' : 'unreachable',
              /prohibited/i.test(text)
                ? `${this.label} may not forward to ${target.host}:${target.port} (administratively prohibited: AllowTcpForwarding/PermitOpen)`
                : `${this.label} could not reach ${target.host}:${target.port}: ${text}`,
            ),
          );
        } else resolve(ch);
      };
      try {
        client.forwardOut('127.0.0.1', 0, target.host, target.port, done);
      } catch (e) {
        // ssh2 throws synchronously when the connection just went away.
        done(e as Error);
      }
    });
    this.channels++;
    clearTimeout(this.idleTimer);
    channel.once('close', () => {
      this.channels--;
      this.armIdleTimer();
    });
    return channel;
  }

  private armIdleTimer() {
    if (this.channels > 0 || !this.client) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.channels === 0) this.client?.end();
    }, this.options.idleTimeoutMs);
    this.idleTimer.unref();
  }

  private connect(timeoutMs: number): Promise<Client> {
    if (this.closed)
      return Promise.reject(
        new TunnelError('unreachable', `${this.label}: closed`),
      );
    if (this.client) return Promise.resolve(this.client);
    if (this.connecting) return this.connecting;
    if (Date.now() < this.retryAt && this.lastError) {
      return Promise.reject(this.lastError);
    }
    this.connecting = this.open(timeoutMs).then(
      client => {
        this.connecting = undefined;
        if (this.closed) {
          // Closed while the handshake ran: end the session it produced.
          client.end();
          throw new TunnelError('unreachable', `${this.label}: closed`);
        }
        this.failures = 0;
        this.client = client;
        this.armIdleTimer();
        return client;
      },
      (error: TunnelError) => {
        this.connecting = undefined;
        this.failures++;
        // A changed host key is not retried sooner by waiting: it stays the
        // answer until an admin acts. Other failures back off with jitter.
        const backoff = Math.min(
          MAX_BACKOFF_MS,
          250 * 2 ** (this.failures - 1),
        );
        this.retryAt = Date.now() + backoff * (0.5 + Math.random() / 2);
        this.lastError = error;
        throw error;
      },
    );
    return this.connecting;
  }

  private open(timeoutMs: number): Promise<Client> {
    const { route, options } = this;
    const pins = new HostKeyPins(route.hostKeys, route.host, route.port);
    return new Promise((resolve, reject) => {
      try {
        options.policy.assertDialable(route.host);
      } catch (e) {
        reject(new TunnelError('refused', (e as Error).message));
        return;
      }
      let hostKeyProblem: TunnelError | undefined;
      const client = new Client();
      const dialled: { sock?: net.Socket } = {};
      const attempt = openingAttempt<Client>({
        resolve,
        reject,
        timeoutMs,
        timeout: () =>
          new TunnelError(
            'timeout',
            `${this.label} did not complete the SSH handshake within ${timeoutMs} ms`,
          ),
        abort: () => {
          client.end();
          dialled.sock?.destroy();
        },
      });
      const fail = attempt.fail;
      // The bastion's address passes the one policy, like every other.
      const sock = net.connect({
        host: route.host,
        port: route.port,
        lookup: options.policy.lookup,
      });
      dialled.sock = sock;
      sock.once('error', (e: NodeJS.ErrnoException) =>
        fail(dialFailure(e, this.label)),
      );
      client.on('error', (e: Error & { level?: string }) => {
        if (hostKeyProblem) fail(hostKeyProblem);
        else if (e.level === 'client-authentication')
          fail(
            new TunnelError(
              'auth',
              `${this.label} rejected the SSH credentials (${route.username})`,
            ),
          );
        else if (
          /encrypted private key|passphrase|Cannot parse privateKey/i.test(
            e.message,
          )
        )
          fail(
            new TunnelError(
              'auth',
              `the SSH private key cannot be used: ${e.message}`,
            ),
          );
        else if (attempt.settled)
          options.logger.warn(`${this.label}: ${e.message}`);
        else
          fail(new TunnelError('unreachable', `${this.label}: ${e.message}`));
      });
      client.on('close', () => {
        if (this.client === client) {
          this.client = undefined;
          clearTimeout(this.idleTimer);
        }
        fail(
          hostKeyProblem ??
            new TunnelError(
              'unreachable',
              `${this.label} closed the connection during the handshake`,
            ),
        );
      });
      client.once('ready', () => attempt.succeed(client));
      try {
        client.connect({
          sock,
          username: route.username,
          password: route.password,
          privateKey: route.privateKey,
          passphrase: route.passphrase,
          readyTimeout: Math.max(1, timeoutMs),
          keepaliveInterval: options.keepaliveIntervalMs,
          keepaliveCountMax: 3,
          ...(pins.keyTypes
            ? { algorithms: { serverHostKey: pins.keyTypes as any } }
            : {}),
          hostVerifier: (key: Buffer) => {
            if (pins.accepts(key)) {
              this.hostKey = describeHostKey(key, true);
              return true;
            }
            this.hostKey = describeHostKey(key, false);
            if (pins.empty && options.trustUnpinned) return true;
            hostKeyProblem = new TunnelError(
              'hostKey',
              pins.empty
                ? `${this.label} presented ${this.hostKey.fingerprint}, and no host key is pinned: accept it explicitly`
                : `SSH host key changed: ${this.label} presented ${
                    this.hostKey.fingerprint
                  }, which is not pinned (${pins.describe()})`,
              this.hostKey,
            );
            return false;
          },
        });
      } catch (e) {
        // e.g. a private key ssh2 cannot parse, or that needs a passphrase
        fail(
          new TunnelError(
            'auth',
            `the SSH private key cannot be used: ${(e as Error).message}`,
          ),
        );
      }
    });
  }

  /** No connection, none being opened, no channel open. */
  get idle(): boolean {
    return !this.client && !this.connecting && this.channels === 0;
  }

  /** Ends the SSH connection; later calls fail. */
  close() {
    this.closed = true;
    clearTimeout(this.idleTimer);
    this.client?.end();
    this.client = undefined;
  }
}
