/*
 * The EKS stand-in's two HTTP pieces. Both belong to the test environment's
 * AWS stand-in (like moto itself), never to the product:
 *
 * - the EKS harness, a loopback proxy in front of moto that a test points
 *   AWS_ENDPOINT_URL_EKS at (startEksHarness);
 * - the STS front, the HTTPS server aws-iam-authenticator reaches as
 *   https://sts.<region>.amazonaws.com (startStsFront).
 *
 * What each one changes, and why, is listed on the function. Everything else
 * passes to moto unchanged.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/** A real API server that stands for an EKS cluster's control plane. */
export interface ControlPlane {
  serverUrl: string;
  /** PEM of the CA of its serving certificate. */
  caPem: string;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function readBody(stream: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', c => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** Sends one request to moto and reads the whole answer. */
function forward(
  moto: URL,
  method: string,
  path: string,
  headers: http.OutgoingHttpHeaders,
  body?: Buffer,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: moto.hostname, port: moto.port, method, path, headers },
      res =>
        readBody(res).then(
          b =>
            resolve({
              status: res.statusCode ?? 502,
              headers: res.headers,
              body: b,
            }),
          reject,
        ),
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The service of a SigV4 credential scope `AKID/date/region/SERVICE/aws4_request`. */
function serviceOf(req: http.IncomingMessage, url: URL): string {
  const credential =
    /Credential=([^,\s]+)/.exec(req.headers.authorization ?? '')?.[1] ??
    url.searchParams.get('X-Amz-Credential') ??
    '';
  return credential.split('/')[3] ?? 'unknown';
}

function send(
  res: http.ServerResponse,
  status: number,
  headers: http.IncomingHttpHeaders,
  body: Buffer | string,
) {
  const out = { ...headers };
  delete out['transfer-encoding'];
  delete out.connection;
  out['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(status, out as http.OutgoingHttpHeaders);
  res.end(body);
}

/**
 * moto builds the OIDC issuer once per process, so every cluster has the same
 * one (and IAM CreateOpenIDConnectProvider for a second cluster says
 * EntityAlreadyExists). The harness makes it unique per cluster name, with an
 * id of the shape EKS uses (32 upper-case hex digits).
 */
export function uniqueIssuer(motoIssuer: string, clusterName: string): string {
  const id = crypto
    .createHash('sha256')
    .update(`${motoIssuer}\n${clusterName}`)
    .digest('hex')
    .slice(0, 32)
    .toUpperCase();
  return motoIssuer.replace(/\/id\/[^/]*$/, `/id/${id}`);
}

export interface EksHarnessOptions {
  motoEndpoint: string;
  /** The cluster names whose answers get a real control plane. */
  controlPlanes: Map<string, ControlPlane>;
  /** DescribeCluster calls per cluster that answer CREATING (default 2). */
  creatingDescribes?: number;
  /** JSON lines, one per request. */
  logFile: string;
}

/**
 * The EKS harness: an HTTP proxy on 127.0.0.1 that forwards every request to
 * moto unchanged (any service: EKS, IAM, EC2, STS) and appends one JSON line
 * per request to `logFile` (method, path, service, status, and for EKS the
 * request's JSON body: moto drops fields such as accessConfig, the log keeps
 * them). It changes only EKS CreateCluster (`POST /clusters`) and
 * DescribeCluster (`GET /clusters/{name}`) answers:
 *
 * - for a name in `controlPlanes`: moto's clusters are ACTIVE at once and
 *   their endpoint and CA are random strings. The harness answers CREATING to
 *   CreateCluster and to the first `creatingDescribes` DescribeCluster calls
 *   after it, without endpoint and CA (as EKS does before ACTIVE), and then
 *   ACTIVE with `endpoint` = the real API server's URL and
 *   `certificateAuthority.data` = base64 of its CA's PEM;
 * - for every cluster: `identity.oidc.issuer` is made unique per name
 *   (uniqueIssuer).
 */
export async function startEksHarness(opts: EksHarnessOptions) {
  const moto = new URL(opts.motoEndpoint);
  const creatingDescribes = opts.creatingDescribes ?? 2;
  const describes = new Map<string, number>();
  const log = fs.openSync(opts.logFile, 'a');

  const rewrite = (cluster: any, creating: boolean) => {
    if (!cluster || typeof cluster !== 'object') return;
    if (cluster.identity?.oidc?.issuer) {
      cluster.identity.oidc.issuer = uniqueIssuer(
        cluster.identity.oidc.issuer,
        cluster.name,
      );
    }
    const plane = opts.controlPlanes.get(cluster.name);
    if (!plane) return;
    if (creating) {
      cluster.status = 'CREATING';
      delete cluster.endpoint;
      delete cluster.certificateAuthority;
    } else {
      cluster.endpoint = plane.serverUrl;
      cluster.certificateAuthority = {
        data: Buffer.from(plane.caPem).toString('base64'),
      };
    }
  };

  const server = http.createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://harness');
      const service = serviceOf(req, url);
      const answer = await forward(
        moto,
        req.method ?? 'GET',
        req.url ?? '/',
        req.headers,
        body,
      );
      let out: Buffer | string = answer.body;
      const match = /^\/clusters(?:\/([^/?]+))?$/.exec(url.pathname);
      if (service === 'eks' && match && answer.status === 200) {
        const create = req.method === 'POST' && !match[1];
        const describe = req.method === 'GET' && !!match[1];
        if (create || describe) {
          const json = JSON.parse(answer.body.toString('utf8'));
          const name: string = json.cluster?.name;
          let creating = false;
          if (create) {
            describes.set(name, 0);
            creating = creatingDescribes > 0;
          } else {
            const n = describes.get(name) ?? 0;
            describes.set(name, n + 1);
            creating = n < creatingDescribes;
          }
          rewrite(json.cluster, creating);
          out = JSON.stringify(json);
        }
      }
      let logged: unknown;
      if (service === 'eks' && body.length) {
        try {
          logged = JSON.parse(body.toString('utf8'));
        } catch {
          logged = body.toString('utf8');
        }
      }
      fs.writeSync(
        log,
        `${JSON.stringify({
          time: new Date().toISOString(),
          method: req.method,
          path: req.url,
          service,
          status: answer.status,
          ...(logged !== undefined && { body: logged }),
        })}\n`,
      );
      send(res, answer.status, answer.headers, out);
    } catch (e) {
      send(res, 502, { 'content-type': 'text/plain' }, `harness: ${e}`);
    }
  });
  await new Promise<void>(resolve =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      await new Promise(resolve => server.close(resolve));
      server.closeAllConnections();
      fs.closeSync(log);
    },
  };
}

// ── STS front ──────────────────────────────────────────────────────────────

/** RFC 3986 encoding, as SigV4 canonicalises query strings. */
const sigv4Encode = (s: string) =>
  encodeURIComponent(s).replace(
    /[!'()*]/g,
    c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

/** The query as pairs, decoded without turning `+` into a space. */
function queryPairs(rawQuery: string): Array<[string, string]> {
  return rawQuery
    .split('&')
    .filter(Boolean)
    .map(p => {
      const i = p.indexOf('=');
      const [k, v] = i < 0 ? [p, ''] : [p.slice(0, i), p.slice(i + 1)];
      return [decodeURIComponent(k), decodeURIComponent(v)];
    });
}

const byCodePoint = (a: string, b: string) => {
  if (a === b) return 0;
  return a < b ? -1 : 1;
};

const hmac = (key: crypto.BinaryLike, data: string) =>
  crypto.createHmac('sha256', key).update(data).digest();
const sha256Hex = (data: string) =>
  crypto.createHash('sha256').update(data).digest('hex');
const EMPTY_PAYLOAD = sha256Hex('');

/**
 * Checks a SigV4 query-string (presigned) signature as AWS does: rebuilds the
 * canonical request from the request as received (its method, path, query
 * without X-Amz-Signature, and the values of the headers named in
 * X-Amz-SignedHeaders) and signs it with the secret key. For aws-iam-
 * authenticator this is what binds a token to a cluster: it sends its own
 * cluster ID as x-k8s-aws-id, so a token signed for another ID fails here.
 */
export function presignedSignatureValid(
  method: string,
  path: string,
  rawQuery: string,
  headers: http.IncomingHttpHeaders,
  secretAccessKey: string,
): boolean {
  const pairs = queryPairs(rawQuery);
  const get = (k: string) => pairs.find(([key]) => key === k)?.[1];
  const signature = get('X-Amz-Signature');
  const credential = get('X-Amz-Credential');
  const date = get('X-Amz-Date');
  const signedHeaders = get('X-Amz-SignedHeaders');
  if (!signature || !credential || !date || !signedHeaders) return false;
  const [, shortDate, region, service, terminator] = credential.split('/');
  const canonicalQuery = pairs
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [sigv4Encode(k), sigv4Encode(v)])
    .sort(([a, av], [b, bv]) => byCodePoint(a, b) || byCodePoint(av, bv))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = signedHeaders
    .split(';')
    .map(h => {
      const value = headers[h];
      const text = Array.isArray(value) ? value.join(',') : value ?? '';
      return `${h}:${text.trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
  let key = hmac(`AWS4${secretAccessKey}`, shortDate);
  for (const part of [region, service, terminator]) key = hmac(key, part);
  // Presigners sign the empty body's hash (the AWS SDKs for STS) or
  // UNSIGNED-PAYLOAD; either is accepted.
  return [EMPTY_PAYLOAD, 'UNSIGNED-PAYLOAD'].some(payloadHash => {
    const canonicalRequest = [
      method,
      path,
      canonicalQuery,
      canonicalHeaders,
      signedHeaders,
      payloadHash,
    ].join('\n');
    const stringToSign = [
      'AWS4-HMAC-SHA256',
      date,
      `${shortDate}/${region}/${service}/${terminator}`,
      sha256Hex(canonicalRequest),
    ].join('\n');
    const expected = hmac(key, stringToSign).toString('hex');
    return (
      expected.length === signature.length &&
      crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(signature))
    );
  });
}

export interface StsFrontOptions {
  /** A Unix socket to listen on (the network namespace's bridge connects to it). */
  socketPath: string;
  motoEndpoint: string;
  /** moto's credential lookup (MotoEnv.credentialsEndpoint). */
  credentialsEndpoint: string;
  region: string;
  certPem: string;
  keyPem: string;
  /** JSON lines, one per request, with the verdict. */
  logFile: string;
}

/**
 * The STS front: what aws-iam-authenticator reaches as
 * https://sts.<region>.amazonaws.com. It terminates TLS (a certificate for
 * that name from the stand-in's own CA, which the authenticator trusts by
 * SSL_CERT_FILE) and passes GetCallerIdentity to moto's STS, bending three
 * things moto does differently from STS:
 *
 * 1. moto never checks signatures. The front does, as STS does: the access key
 *    must be one moto issued (else 403 InvalidClientTokenId), a session's
 *    X-Amz-Security-Token must be that session's, and the SigV4 signature must
 *    match (else 403 SignatureDoesNotMatch). Only then does moto see it.
 * 2. moto's server picks the service from an Authorization header's credential
 *    scope, and a presigned URL has none: the front adds one built from
 *    X-Amz-Credential (moto ignores its signature).
 * 3. moto answers in XML even to `Accept: application/json`; STS answers JSON,
 *    and aws-iam-authenticator parses JSON. The front converts the
 *    GetCallerIdentity result (Account, Arn, UserId) to STS' JSON shape.
 */
export async function startStsFront(opts: StsFrontOptions) {
  const moto = new URL(opts.motoEndpoint);
  const secrets = new Map<
    string,
    { secretAccessKey: string; sessionToken?: string }
  >();
  const log = fs.openSync(opts.logFile, 'a');

  const lookup = async (accessKeyId: string) => {
    const known = secrets.get(accessKeyId);
    if (known) return known;
    const res = await fetch(
      `${opts.credentialsEndpoint}/secret?accessKeyId=${encodeURIComponent(
        accessKeyId,
      )}`,
    );
    if (res.status !== 200) return undefined;
    const found = (await res.json()) as {
      secretAccessKey: string;
      sessionToken?: string;
    };
    secrets.set(accessKeyId, found);
    return found;
  };

  const server = https.createServer(
    { cert: opts.certPem, key: opts.keyPem },
    async (req, res) => {
      const started = Date.now();
      const json = /json/.test(String(req.headers.accept ?? ''));
      const rawUrl = req.url ?? '/';
      const [path, rawQuery = ''] = rawUrl.split(/\?(.*)/s);
      const pairs = queryPairs(rawQuery);
      const get = (k: string) => pairs.find(([key]) => key === k)?.[1];
      const credential = get('X-Amz-Credential') ?? '';
      const [accessKeyId, , region, service] = credential.split('/');
      const record = (status: number, verdict: string, arn?: string) =>
        fs.writeSync(
          log,
          `${JSON.stringify({
            time: new Date().toISOString(),
            method: req.method,
            action: get('Action'),
            accessKeyId,
            xK8sAwsId: req.headers['x-k8s-aws-id'],
            status,
            verdict,
            arn,
            ms: Date.now() - started,
          })}\n`,
        );
      const fail = (status: number, code: string, message: string) => {
        record(status, code);
        const requestId = crypto.randomUUID();
        const body = json
          ? JSON.stringify({
              Error: { Code: code, Message: message, Type: 'Sender' },
              RequestId: requestId,
            })
          : `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
        send(
          res,
          status,
          { 'content-type': json ? 'application/json' : 'text/xml' },
          body,
        );
      };
      try {
        if (!accessKeyId || !get('X-Amz-Signature'))
          return fail(
            403,
            'MissingAuthenticationToken',
            'Request is missing Authentication Token',
          );
        if (service !== 'sts' || region !== opts.region)
          return fail(
            403,
            'SignatureDoesNotMatch',
            `Credential should be scoped to a valid region and service sts`,
          );
        const secret = await lookup(accessKeyId);
        if (
          !secret ||
          (secret.sessionToken !== undefined &&
            get('X-Amz-Security-Token') !== secret.sessionToken)
        )
          return fail(
            403,
            'InvalidClientTokenId',
            'The security token included in the request is invalid.',
          );
        if (
          !presignedSignatureValid(
            req.method ?? 'GET',
            path,
            rawQuery,
            req.headers,
            secret.secretAccessKey,
          )
        )
          return fail(
            403,
            'SignatureDoesNotMatch',
            'The request signature we calculated does not match the signature you provided.',
          );
        const answer = await forward(moto, req.method ?? 'GET', rawUrl, {
          host: req.headers.host,
          accept: req.headers.accept ?? '*/*',
          authorization: `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=${get(
            'X-Amz-SignedHeaders',
          )}, Signature=${get('X-Amz-Signature')}`,
        });
        const xml = answer.body.toString('utf8');
        const field = (name: string) =>
          new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
        if (answer.status !== 200 || get('Action') !== 'GetCallerIdentity') {
          record(answer.status, 'forwarded');
          return send(res, answer.status, answer.headers, answer.body);
        }
        record(200, 'ok', field('Arn'));
        if (!json) return send(res, 200, answer.headers, answer.body);
        return send(
          res,
          200,
          { 'content-type': 'application/json' },
          JSON.stringify({
            GetCallerIdentityResponse: {
              GetCallerIdentityResult: {
                Account: field('Account'),
                Arn: field('Arn'),
                UserId: field('UserId'),
              },
              ResponseMetadata: { RequestId: field('RequestId') },
            },
          }),
        );
      } catch (e) {
        return fail(500, 'InternalFailure', String(e));
      }
    },
  );
  fs.rmSync(opts.socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.socketPath, () => resolve());
  });
  return {
    stop: async () => {
      await new Promise(resolve => server.close(resolve));
      server.closeAllConnections();
      fs.closeSync(log);
    },
  };
}

/**
 * A byte pipe: accepts on `listen` (a TCP port of 127.0.0.1, 0 = free, or a
 * Unix socket path) and connects each client to `connect`.
 */
export async function startPipe(
  listen: number | string,
  connect: () => net.NetConnectOpts,
) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer(client => {
    const upstream = net.connect(connect());
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  if (typeof listen === 'string') fs.rmSync(listen, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (typeof listen === 'string') server.listen(listen, () => resolve());
    else server.listen(listen, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    stop: async () => {
      sockets.forEach(s => s.destroy());
      await new Promise(resolve => server.close(resolve));
    },
  };
}
