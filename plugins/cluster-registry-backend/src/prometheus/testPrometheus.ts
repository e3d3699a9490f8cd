import http from 'node:http';
import https from 'node:https';
import { ClusterSecrets, StoredPrometheus } from '../database/types';

import { PrometheusTestResult } from '@cluster-registry/plugin-cluster-registry-common';

export type { PrometheusTestResult };

const fromB64 = (data?: string) =>
  data ? Buffer.from(data, 'base64').toString('utf8') : undefined;

function get(
  url: URL,
  prometheus: StoredPrometheus,
  secrets: ClusterSecrets,
  timeoutMs: number,
): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (prometheus.auth.type === 'basic') {
    headers.authorization = `Basic ${Buffer.from(
      `${prometheus.auth.username}:${secrets.prometheusPassword ?? ''}`,
    ).toString('base64')}`;
  }
  const tls = prometheus.tls;
  const options: https.RequestOptions = {
    headers,
    timeout: timeoutMs,
    agent: false,
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
      res.on('data', d => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () =>
      req.destroy(new Error(`no answer within ${timeoutMs} ms`)),
    );
    req.on('error', reject);
  });
}

/**
 * Runs a real instant query (`up`) against the Prometheus endpoint with its
 * auth and TLS settings, and reads the server's version.
 */
export async function testPrometheus(
  prometheus: StoredPrometheus,
  secrets: ClusterSecrets,
  timeoutMs: number,
): Promise<PrometheusTestResult> {
  const base = prometheus.url.endsWith('/')
    ? prometheus.url
    : `${prometheus.url}/`;
  try {
    const query = await get(
      new URL('api/v1/query?query=up', base),
      prometheus,
      secrets,
      timeoutMs,
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
      timeoutMs,
    ).catch(() => undefined);
    if (info?.status === 200) version = JSON.parse(info.body).data?.version;
    return { ok: true, seriesCount: parsed.data.result.length, version };
  } catch (e) {
    return {
      ok: false,
      message: `cannot query ${prometheus.url}: ${(e as Error).message}`,
    };
  }
}
