import http from 'node:http';
import https from 'node:https';
import { ClusterSecrets, StoredPrometheus } from '../database/types';
import { AddressPolicy } from '@cluster-registry/plugin-cluster-registry-node';

import { PrometheusTestResult } from '@cluster-registry/plugin-cluster-registry-common';

export type { PrometheusTestResult };

/** The answers read here are a few hundred bytes; more is not read. */
const MAX_RESPONSE_CHARS = 1024 * 1024;

const fromB64 = (data?: string) =>
  data ? Buffer.from(data, 'base64').toString('utf8') : undefined;

function get(
  url: URL,
  prometheus: StoredPrometheus,
  secrets: ClusterSecrets,
  timeoutMs: number,
  policy: AddressPolicy,
  tunnel?: http.Agent,
): Promise<{ status: number; body: string }> {
  // IP literals are checked here, names on every answer of the lookup (or,
  // tunnelled, by the connections service: the far side resolves them).
  policy.assertDialable(url.hostname);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (prometheus.auth.type === 'basic') {
    headers.authorization = `Basic ${Buffer.from(
      `${prometheus.auth.username}:${secrets.prometheusPassword ?? ''}`,
    ).toString('base64')}`;
  }
  const tls = prometheus.tls;
  const options: https.RequestOptions = {
    headers,
    ...(tunnel ? { agent: tunnel } : { lookup: policy.lookup, agent: false }),
    timeout: timeoutMs,
    ca: fromB64(tls?.caData),
    cert: fromB64(tls?.clientCertData),
    key: fromB64(secrets.prometheusClientKeyData),
    rejectUnauthorized: !tls?.insecureSkipTlsVerify,
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(url, options, res => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', d => {
        body += d;
        if (body.length > MAX_RESPONSE_CHARS)
          req.destroy(
            new Error(
              `answered with more than ${MAX_RESPONSE_CHARS} characters`,
            ),
          );
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    // A deadline for the whole exchange, not only between bytes.
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on('close', () => clearTimeout(timer));
    req.on('error', reject);
  });
}

/**
 * Runs a real instant query (`count(up)`: one sample, however large the
 * Prometheus) against the Prometheus endpoint with its
 * auth and TLS settings, and reads the server's version.
 */
export async function testPrometheus(
  prometheus: StoredPrometheus,
  secrets: ClusterSecrets,
  timeoutMs: number,
  policy: AddressPolicy,
  /** Carries the requests through the cluster's proxy or bastion. */
  tunnel?: http.Agent,
): Promise<PrometheusTestResult> {
  const base = prometheus.url.endsWith('/')
    ? prometheus.url
    : `${prometheus.url}/`;
  const deadline = Date.now() + timeoutMs;
  const remaining = () => Math.max(1, deadline - Date.now());
  try {
    const query = await get(
      new URL('api/v1/query?query=count(up)', base),
      prometheus,
      secrets,
      remaining(),
      policy,
      tunnel,
    );
    if (query.status === 401 || query.status === 403) {
      return {
        ok: false,
        message: `Prometheus refused the credentials (${query.status})`,
      };
    }
    let parsed: any;
    try {
      parsed = JSON.parse(query.body);
    } catch {
      return {
        ok: false,
        message: `the endpoint answered ${query.status} without Prometheus JSON; is the URL right?`,
      };
    }
    if (query.status !== 200 || parsed.status !== 'success') {
      return {
        ok: false,
        message: `query failed (${query.status}): ${
          parsed.error ?? 'unknown error'
        }`,
      };
    }
    let version: string | undefined;
    const info = await get(
      new URL('api/v1/status/buildinfo', base),
      prometheus,
      secrets,
      remaining(),
      policy,
      tunnel,
    ).catch(() => undefined);
    if (info?.status === 200) {
      try {
        const v = JSON.parse(info.body).data?.version;
        if (typeof v === 'string') version = v.slice(0, 100);
      } catch {
        // no version to show
      }
    }
    const count = Number(parsed.data?.result?.[0]?.value?.[1] ?? 0);
    return {
      ok: true,
      seriesCount: Number.isFinite(count) ? count : 0,
      version,
    };
  } catch (e) {
    return {
      ok: false,
      message: `cannot query ${prometheus.url}: ${(e as Error).message}`,
    };
  }
}
