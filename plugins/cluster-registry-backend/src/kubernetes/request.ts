import { KubeConfig } from '@kubernetes/client-node';
import { SshHostKeySeen } from '@cluster-registry/plugin-cluster-registry-common';
import {
  AddressPolicy,
  TunnelError,
} from '@cluster-registry/plugin-cluster-registry-node';
import https from 'node:https';
import tls from 'node:tls';
import { BoundedAnswer, readBoundedAnswer } from '../http/readBoundedAnswer';

/** An API server's answer: JSON parsed, anything else as text. */
export type KubeResponse = BoundedAnswer;

/** Why a request to an API server failed, in terms a user can act on. */
export class KubeConnectionError extends Error {
  constructor(
    readonly reason: 'tls' | 'unreachable' | 'timeout' | 'invalid' | 'error',
    message: string,
    /** The request field it concerns, when not the reason's usual one (`connection` for a tunnel). */
    readonly field?: string,
    /** The host key an SSH bastion presented, when it was not pinned. */
    readonly sshHostKey?: SshHostKeySeen,
  ) {
    super(message);
    this.name = 'KubeConnectionError';
  }
}

const MAX_RESPONSE_CHARS = 1024 * 1024;

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EAI_AGAIN',
]);

function classify(error: any, server: string): KubeConnectionError {
  if (error instanceof TunnelError) {
    return new KubeConnectionError(
      error.reason === 'timeout' ? 'timeout' : 'unreachable',
      error.message,
      'connection',
      error.hostKey,
    );
  }
  const code: string = error?.code ?? '';
  if (code === 'EADDRNOTALLOWED') {
    return new KubeConnectionError('unreachable', String(error.message));
  }
  if (
    TLS_CODES.has(code) ||
    /certificate|ssl|tls/i.test(String(error?.message))
  ) {
    return new KubeConnectionError(
      'tls',
      `TLS handshake with ${server} failed: ${error.message}`,
    );
  }
  if (UNREACHABLE_CODES.has(code)) {
    return new KubeConnectionError(
      'unreachable',
      `cannot reach ${server}: ${code}`,
    );
  }
  return new KubeConnectionError(
    'error',
    `request to ${server} failed: ${error?.message ?? error}`,
  );
}

/**
 * Requests to one API server with the KubeConfig's TLS settings and
 * credentials (applied by @kubernetes/client-node), each bounded by a timeout.
 * The TLS context is built once and the requests share one keep-alive
 * connection, so a check costs one handshake however many requests it makes.
 *
 * A `tunnel` agent (a proxy's or a bastion's, from the connections service)
 * carries the connection instead of TCP; TLS is still end to end with the
 * server under its own name, and the server's address is resolved on the far
 * side, so it is not looked up here.
 */
export class KubeClient {
  private readonly server: string;
  private readonly agent: https.Agent;
  private options?: Promise<https.RequestOptions>;

  constructor(
    private readonly kc: KubeConfig,
    private readonly policy: AddressPolicy,
    private readonly tunnel?: https.Agent,
  ) {
    this.agent = tunnel ?? new https.Agent({ keepAlive: true, maxSockets: 1 });
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    this.server = cluster.server;
  }

  private baseOptions(): Promise<https.RequestOptions> {
    this.options ??= (async () => {
      const options: https.RequestOptions = { headers: {} };
      await this.kc.applyToHTTPSOptions(options);
      const { ca, cert, key, headers } = options;
      let secureContext: tls.SecureContext;
      try {
        secureContext = tls.createSecureContext({ ca, cert, key });
      } catch (e) {
        // e.g. a client key that does not belong to the certificate
        throw new KubeConnectionError(
          'tls',
          `the TLS settings cannot be used: ${(e as Error).message}`,
        );
      }
      return {
        headers,
        rejectUnauthorized: options.rejectUnauthorized,
        servername: options.servername,
        secureContext,
        agent: this.agent,
      };
    })();
    return this.options;
  }

  async request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    options: { body?: unknown; timeoutMs: number; maxResponseChars?: number },
  ): Promise<KubeResponse> {
    const max = options.maxResponseChars ?? MAX_RESPONSE_CHARS;
    const server = this.server;
    const url = new URL(path, server);
    const base = await this.baseOptions();
    const payload =
      options.body === undefined ? undefined : JSON.stringify(options.body);
    try {
      // IP literals are dialled without a lookup: check them here; names are
      // checked on every answer of the lookup below (or, tunnelled, by the
      // connections service).
      this.policy.assertDialable(url.hostname);
    } catch (e) {
      throw classify(e, server);
    }
    const requestOptions: https.RequestOptions = {
      ...base,
      ...(this.tunnel ? {} : { lookup: this.policy.lookup }),
      method,
      hostname: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      headers: {
        ...base.headers,
        accept: 'application/json',
        ...(payload ? { 'content-type': 'application/json' } : {}),
      },
    };

    return new Promise<KubeResponse>((resolve, reject) => {
      let req: ReturnType<typeof https.request>;
      try {
        req = https.request(requestOptions, res => {
          readBoundedAnswer(
            req,
            res,
            max,
            () =>
              new KubeConnectionError(
                'error',
                `${server} answered with more than ${max} characters`,
              ),
            resolve,
          );
          res.on('error', e => reject(classify(e, server)));
        });
      } catch (e) {
        // e.g. a stored credential that is not a valid header value
        reject(
          new KubeConnectionError(
            'invalid',
            `the request to ${server} could not be sent: ${
              (e as { code?: string }).code === 'ERR_INVALID_CHAR'
                ? 'the credentials contain characters an HTTP header cannot carry'
                : (e as Error).message
            }`,
          ),
        );
        return;
      }
      // A deadline for the whole exchange, not an idle timeout: a server
      // that trickles bytes does not hold the request beyond it.
      const timer = setTimeout(() => {
        req.destroy(
          new KubeConnectionError(
            'timeout',
            `no answer from ${server} within ${options.timeoutMs} ms`,
          ),
        );
      }, Math.max(1, options.timeoutMs));
      req.on('close', () => clearTimeout(timer));
      req.on('error', e =>
        reject(e instanceof KubeConnectionError ? e : classify(e, server)),
      );
      req.end(payload);
    });
  }

  /** Closes the kept-alive connection (a tunnel agent is its owner's to close). */
  close() {
    if (!this.tunnel) this.agent.destroy();
  }
}
