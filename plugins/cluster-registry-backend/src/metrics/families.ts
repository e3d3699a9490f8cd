/**
 * HTTP metric families: the names an application's instrumentation gives its
 * request counter and duration histogram. An entity picks one with the
 * annotation cluster-registry.io/metrics-family and may override the names
 * (validated metric and label names, never PromQL).
 */
export interface HttpFamily {
  id: string;
  /** The request counter. */
  requests: string;
  /** The label holding the status code. */
  statusLabel: string;
  /** The duration histogram (without _bucket). */
  duration: string;
  /** A regex of the error statuses, e.g. 5.. */
  errorStatus: string;
}

export const HTTP_FAMILIES: Record<string, Omit<HttpFamily, 'errorStatus'>> = {
  'prometheus-client': {
    id: 'prometheus-client',
    requests: 'http_requests_total',
    statusLabel: 'code',
    duration: 'http_request_duration_seconds',
  },
  otel: {
    id: 'otel',
    requests: 'http_server_request_duration_seconds_count',
    statusLabel: 'http_response_status_code',
    duration: 'http_server_request_duration_seconds',
  },
  micrometer: {
    id: 'micrometer',
    requests: 'http_server_requests_seconds_count',
    statusLabel: 'status',
    duration: 'http_server_requests_seconds',
  },
};

export const FAMILY_ANNOTATION = 'cluster-registry.io/metrics-family';
export const REQUESTS_METRIC_ANNOTATION =
  'cluster-registry.io/http-requests-metric';
export const DURATION_METRIC_ANNOTATION =
  'cluster-registry.io/http-duration-metric';
export const STATUS_LABEL_ANNOTATION = 'cluster-registry.io/http-status-label';
export const ERROR_STATUS_ANNOTATION = 'cluster-registry.io/http-error-status';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]{0,199}$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,99}$/;
/** Status classes such as 5.. or 4..|5..: digits, dots and bars only. */
const STATUS_REGEX = /^[0-9.]{3}(\|[0-9.]{3}){0,9}$/;

/** The family an entity's annotations ask for, or why they cannot be used. */
export function familyOf(
  annotations: Record<string, string>,
): HttpFamily | { error: string } {
  const id = annotations[FAMILY_ANNOTATION] ?? 'prometheus-client';
  const base = HTTP_FAMILIES[id];
  if (!base)
    return {
      error: `${FAMILY_ANNOTATION} '${id.slice(
        0,
        50,
      )}' is not one of ${Object.keys(HTTP_FAMILIES).join(', ')}`,
    };
  const pick = (key: string, fallback: string, rule: RegExp, what: string) => {
    const v = annotations[key];
    if (v === undefined) return fallback;
    if (!rule.test(v)) throw new Error(`${key} must be ${what}`);
    return v;
  };
  try {
    return {
      ...base,
      requests: pick(
        REQUESTS_METRIC_ANNOTATION,
        base.requests,
        METRIC_NAME,
        'a metric name',
      ),
      duration: pick(
        DURATION_METRIC_ANNOTATION,
        base.duration,
        METRIC_NAME,
        'a metric name',
      ),
      statusLabel: pick(
        STATUS_LABEL_ANNOTATION,
        base.statusLabel,
        LABEL_NAME,
        'a label name',
      ),
      errorStatus: pick(
        ERROR_STATUS_ANNOTATION,
        '5..',
        STATUS_REGEX,
        'status classes such as 5.. or 4..|5..',
      ),
    };
  } catch (e) {
    return { error: (e as Error).message };
  }
}
