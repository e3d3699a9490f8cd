import { METRICS_RANGES } from '@cluster-registry/plugin-cluster-registry-common';
import { fieldError } from '../service/errors';
import { MetricsSettings } from './settings';

export interface ResolvedRange {
  start: number;
  end: number;
  step: number;
  /** The rate() window in seconds. */
  window: number;
}

/**
 * Turns a requested range into what Prometheus is asked: at most maxPoints
 * points (never finer than the scrape interval), start and end aligned to the
 * step (so that caches hit and charts do not shift), and a rate window of one
 * step plus one scrape, at least four scrapes (Grafana's $__rate_interval rule).
 * A window of exactly one step would split time into pieces that touch, and an
 * increase between the last sample of one piece and the first of the next
 * would be in no point at all.
 */
export function resolveRange(
  range: { last?: keyof typeof METRICS_RANGES; start?: string; end?: string },
  settings: MetricsSettings,
  now = Date.now(),
): ResolvedRange {
  let start: number;
  let end: number;
  if (range.start && range.end) {
    start = Math.floor(Date.parse(range.start) / 1000);
    end = Math.floor(Date.parse(range.end) / 1000);
  } else {
    end = Math.floor(now / 1000);
    start = end - METRICS_RANGES[range.last ?? '1h'];
  }
  const length = end - start;
  if (length > settings.maxRangeHours * 3600)
    throw fieldError(
      'range',
      `is longer than ${settings.maxRangeHours} hours (clusterRegistry.metrics.maxRangeHours)`,
    );
  if (end > Math.floor(now / 1000) + 3600)
    throw fieldError('range.end', 'is more than an hour in the future');
  const scrape = settings.scrapeIntervalSeconds;
  const step = Math.max(Math.ceil(length / settings.maxPoints), scrape, 1);
  const alignedEnd = Math.floor(end / step) * step;
  const alignedStart = Math.max(0, Math.floor(start / step) * step);
  return {
    start: alignedStart,
    end: alignedEnd,
    step,
    window: Math.max(step + scrape, 4 * scrape),
  };
}

/** A window in Prometheus duration syntax. */
export const duration = (seconds: number) => `${Math.round(seconds)}s`;
