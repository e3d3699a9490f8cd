import type { MetricsUnit } from '@cluster-registry/plugin-cluster-registry-common';

/** What the page shows for a number nobody knows (never 0). */
export const UNKNOWN = '—';

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return UNKNOWN;
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${trim(value)} ${BYTE_UNITS[unit]}`;
}

/** At most three significant digits, without trailing zeros. */
function trim(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  let digits = 2;
  if (abs >= 100) digits = 0;
  else if (abs >= 10) digits = 1;
  return String(Number(value.toFixed(digits)));
}

/** A number in cores, or "—". */
export function formatCores(cores: number | undefined): string {
  return cores === undefined || !Number.isFinite(cores) ? UNKNOWN : trim(cores);
}

/** A count, or "—". */
export function formatCount(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? UNKNOWN : String(n);
}

/** A ratio 0..1 as a percentage, or "—". */
export function formatPercent(ratio: number | undefined): string {
  return ratio === undefined || !Number.isFinite(ratio)
    ? UNKNOWN
    : `${trim(ratio * 100)}%`;
}

/** A value of a metrics unit, for axes and tooltips. */
export function formatValue(unit: MetricsUnit, value: number): string {
  switch (unit) {
    case 'ratio':
      return formatPercent(value);
    case 'bytes':
      return formatBytes(value);
    case 'cores':
      return `${trim(value)} cores`;
    case 'perSecond':
      return `${trim(value)}/s`;
    case 'seconds':
      return value < 1 ? `${trim(value * 1000)} ms` : `${trim(value)} s`;
    default:
      return trim(value);
  }
}

/** How long ago, kubectl style: 45s, 12m, 5h, 3d. */
export function formatAge(since: string | undefined, now = Date.now()): string {
  if (!since) return UNKNOWN;
  const seconds = Math.max(0, Math.floor((now - Date.parse(since)) / 1000));
  if (Number.isNaN(seconds)) return UNKNOWN;
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 2 * 86400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

/** An axis tick of a time chart: the time of day, with the date on long ranges. */
export function formatTick(ms: number, spanSeconds: number): string {
  const d = new Date(ms);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return spanSeconds > 86400
    ? `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${time}`
    : time;
}
