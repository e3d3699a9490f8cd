import http from 'node:http';
import https from 'node:https';
import { AddressPolicy } from '@cluster-registry/plugin-cluster-registry-node';
import { ClusterSecrets, StoredPrometheus } from '../database/types';
import { BoundedAnswer, readBoundedAnswer } from '../http/readBoundedAnswer';

const fromB64 = (data?: string) =>
  data ? Buffer.from(data, 'base64').toString('utf8') : undefined;

/** What Prometheus' HTTP API answers: status code and the parsed body (or its text). */
export type PrometheusAnswer = BoundedAnswer;

/** A Prometheus API error: the endpoint answered, but not with data. */
export class PrometheusError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'PrometheusError';
  }
}

/** One series of a query result: its labels and [unix seconds, value] points. */
export interface PromSeries {
  labels: Record<string, string>;
  points: Array<[number, number | null]>;
}

/** Prometheus sends values as strings; NaN and ±Inf become null (a gap). */
function toValue(v: unknown): number | null {
  const n = typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

/**
 * Requests to one stored Prometheus endpoint with its auth and TLS settings,
 * each bounded by a deadline and a size cap. Every address passes the address
 * policy; a `tunnel` agent carries the requests through the cluster's proxy
 * or bastion instead.
 */
export class PrometheusClient {
  private readonly base: string;

  constructor(
    private readonly prometheus: StoredPrometheus,
    private readonly secrets: ClusterSecrets,
    private readonly policy: AddressPolicy,
    private readonly options: {
      timeoutMs: number;
      maxResponseChars?: number;
      tunnel?: http.Agent;
      /**
       * Why this endpoint cannot be reached (its route through the
       * cluster's connection cannot be opened): every request fails with it,
       * and nothing is sent anywhere else instead.
       */
      unreachable?: string;
    },
  ) {
    this.base = prometheus.url.endsWith('/')
      ? prometheus.url
      : `${prometheus.url}/`;
  }

  get url() {
    return this.prometheus.url;
  }

  /**
   * GET (no form) or POST with an urlencoded form: long expressions do not
   * meet URL length limits, and every value is encoded.
   */
  request(
    path: string,
    form?: Record<string, string>,
    timeoutMs = this.options.timeoutMs,
  ): Promise<PrometheusAnswer> {
    if (this.options.unreachable)
      return Promise.reject(new PrometheusError(this.options.unreachable));
    const url = new URL(path, this.base);
    // IP literals are checked here, names on every answer of the lookup (or,
    // tunnelled, by the connections service: the far side resolves them).
    this.policy.assertDialable(url.hostname);
    const payload = form ? new URLSearchParams(form).toString() : undefined;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (payload) headers['content-type'] = 'application/x-www-form-urlencoded';
    if (this.prometheus.auth.type === 'basic') {
      headers.authorization = `Basic ${Buffer.from(
        `${this.prometheus.auth.username}:${
          this.secrets.prometheusPassword ?? ''
        }`,
      ).toString('base64')}`;
    }
    const tls = this.prometheus.tls;
    const tunnel = this.options.tunnel;
    const requestOptions: https.RequestOptions = {
      method: payload ? 'POST' : 'GET',
      headers,
      ...(tunnel
        ? { agent: tunnel }
        : { lookup: this.policy.lookup, agent: false }),
      ca: fromB64(tls?.caData),
      cert: fromB64(tls?.clientCertData),
      key: fromB64(this.secrets.prometheusClientKeyData),
      rejectUnauthorized: !tls?.insecureSkipTlsVerify,
    };
    const max = this.options.maxResponseChars ?? 1024 * 1024;
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = client.request(url, requestOptions, res => {
        readBoundedAnswer(
          req,
          res,
          max,
          () =>
            new PrometheusError(`answered with more than ${max} characters`),
          resolve,
        );
        res.on('error', reject);
      });
      // A deadline for the whole exchange, not only between bytes.
      const timer = setTimeout(
        () =>
          req.destroy(new PrometheusError(`no answer within ${timeoutMs} ms`)),
        Math.max(1, timeoutMs),
      );
      req.on('close', () => clearTimeout(timer));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** The data of a successful API answer, or a PrometheusError saying why not. */
  private async data(path: string, form: Record<string, string>) {
    const answer = await this.request(path, form);
    if (answer.status === 401 || answer.status === 403)
      throw new PrometheusError(
        `Prometheus refused the credentials (${answer.status})`,
        answer.status,
      );
    if (typeof answer.body !== 'object' || answer.body === null)
      throw new PrometheusError(
        `the endpoint answered ${answer.status} without Prometheus JSON; is the URL right?`,
        answer.status,
      );
    if (answer.status !== 200 || answer.body.status !== 'success')
      throw new PrometheusError(
        `query failed (${answer.status}): ${String(
          answer.body.error ?? 'unknown error',
        ).slice(0, 500)}`,
        answer.status,
      );
    return answer.body.data;
  }

  /** An instant query: one point per series. */
  async query(expr: string, timeoutSeconds: number): Promise<PromSeries[]> {
    const data = await this.data('api/v1/query', {
      query: expr,
      timeout: `${timeoutSeconds}s`,
    });
    const result: any[] = Array.isArray(data?.result) ? data.result : [];
    if (data?.resultType === 'scalar')
      return [
        { labels: {}, points: [[Number(result[0]), toValue(result[1])]] },
      ];
    return result.map(r => ({
      labels: r?.metric ?? {},
      points: Array.isArray(r?.value)
        ? [[Number(r.value[0]), toValue(r.value[1])]]
        : [],
    }));
  }

  /** A range query, start and end in unix seconds. */
  async queryRange(
    expr: string,
    range: { start: number; end: number; step: number },
    timeoutSeconds: number,
  ): Promise<PromSeries[]> {
    const data = await this.data('api/v1/query_range', {
      query: expr,
      start: String(range.start),
      end: String(range.end),
      step: String(range.step),
      timeout: `${timeoutSeconds}s`,
    });
    const result: any[] = Array.isArray(data?.result) ? data.result : [];
    return result.map(r => ({
      labels: r?.metric ?? {},
      points: (Array.isArray(r?.values) ? r.values : []).map(
        (p: any): [number, number | null] => [Number(p?.[0]), toValue(p?.[1])],
      ),
    }));
  }
}
