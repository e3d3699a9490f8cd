import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import {
  METRICS_RANGES,
  MetricsRangeName,
} from '@cluster-registry/plugin-cluster-registry-common';
import { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';

/** The ranges offered, shortest first. */
export const RANGES = Object.keys(METRICS_RANGES) as MetricsRangeName[];

/** The range when none is chosen. */
export const DEFAULT_RANGE: MetricsRangeName = '1h';

function isRange(value: string | null): value is MetricsRangeName {
  return value !== null && value in METRICS_RANGES;
}

/**
 * The chosen range, kept in the URL (`?range=6h`) so that a view can be
 * shared; other query parameters are left alone.
 */
export function useRangeParam(): [
  MetricsRangeName,
  (range: MetricsRangeName) => void,
] {
  const [params, setParams] = useSearchParams();
  const value = params.get('range');
  const range = isRange(value) ? value : DEFAULT_RANGE;
  const setRange = useCallback(
    (next: MetricsRangeName) =>
      setParams(
        current => {
          const out = new URLSearchParams(current);
          out.set('range', next);
          return out;
        },
        { replace: true },
      ),
    [setParams],
  );
  return [range, setRange];
}

/** 15m / 1h / 6h / 24h / 7d as toggle buttons. */
export function RangeSelector(props: {
  value: MetricsRangeName;
  onChange(range: MetricsRangeName): void;
}) {
  return (
    <ToggleButtonGroup
      size="small"
      exclusive
      value={props.value}
      aria-label="Time range"
      onChange={(_e, next: MetricsRangeName | null) =>
        next && props.onChange(next)
      }
    >
      {RANGES.map(r => (
        <ToggleButton key={r} value={r} aria-label={`last ${r}`}>
          {r}
        </ToggleButton>
      ))}
    </ToggleButtonGroup>
  );
}
