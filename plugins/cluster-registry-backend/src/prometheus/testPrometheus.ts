import { PrometheusTestResult } from '@cluster-registry/plugin-cluster-registry-common';
import { PrometheusClient } from './PrometheusClient';

export type { PrometheusTestResult };

/**
 * Runs a real instant query (`count(up)`: one sample, however large the
 * Prometheus) against the Prometheus endpoint with its auth and TLS
 * settings, and reads the server's version.
 */
export async function testPrometheus(
  client: PrometheusClient,
  timeoutMs: number,
): Promise<PrometheusTestResult> {
  const deadline = Date.now() + timeoutMs;
  const remaining = () => Math.max(1, deadline - Date.now());
  try {
    const series = await client.query(
      'count(up)',
      Math.max(1, Math.floor(timeoutMs / 1000)),
    );
    let version: string | undefined;
    const info = await client
      .request('api/v1/status/buildinfo', undefined, remaining())
      .catch(() => undefined);
    const v = info?.status === 200 ? info.body?.data?.version : undefined;
    if (typeof v === 'string') version = v.slice(0, 100);
    const count = series[0]?.points[0]?.[1] ?? 0;
    return {
      ok: true,
      seriesCount: Number.isFinite(count) ? count : 0,
      version,
    };
  } catch (e) {
    const message = (e as Error).message;
    return {
      ok: false,
      message:
        (e as Error).name === 'PrometheusError' &&
        !/no answer|more than/.test(message)
          ? message
          : `cannot query ${client.url}: ${message}`,
    };
  }
}
