import type { Exporter } from '@cluster-registry/plugin-cluster-registry-common';
import { MetricsSettings } from './settings';

/**
 * A PromQL string literal. Every value put into a query goes through here;
 * names (label names, metric names) are validated where they come in.
 */
export function promString(value: string): string {
  return `"${value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')}"`;
}

/**
 * The label matchers of one exporter's series in one cluster: its job and,
 * in a Prometheus shared by several clusters, the cluster's label. Never
 * empty (PromQL needs no trailing comma handling).
 */
export function exporterMatchers(
  exporter: Exporter,
  settings: MetricsSettings,
  clusterLabel?: { name: string; value: string },
  extra: string[] = [],
): string {
  const matchers: string[] = [];
  if (exporter === 'cadvisor')
    matchers.push(
      `job=${promString(settings.jobs.cadvisor)}`,
      `metrics_path="/metrics/cadvisor"`,
    );
  else if (exporter !== 'application')
    matchers.push(`job=${promString(settings.jobs[exporter])}`);
  if (clusterLabel)
    matchers.push(`${clusterLabel.name}=${promString(clusterLabel.value)}`);
  matchers.push(...extra);
  if (!matchers.length) matchers.push('__name__!=""');
  return matchers.join(',');
}

/** Kubernetes' alphabet of generated name suffixes (pod-template hash, pod suffix). */
const SUFFIX = '[bcdfghjklmnpqrstvwxz2456789]';

/**
 * A regex for exactly the pods of a workload, as their controllers name them
 * (no over-matching: `api` does not match the pods of `api-gateway`). The
 * name is a validated Kubernetes name, so only its dots need escaping; the
 * result goes into a query through promString.
 */
export function podRegex(
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet',
  workload: string,
): string {
  const name = workload.replace(/\./g, '\\.');
  if (kind === 'StatefulSet') return `${name}-[0-9]+`;
  if (kind === 'DaemonSet') return `${name}-${SUFFIX}{5}`;
  return `${name}-${SUFFIX}{6,10}-${SUFFIX}{5}`;
}
