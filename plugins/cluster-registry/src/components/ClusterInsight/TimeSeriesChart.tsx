import { Theme, useTheme } from '@material-ui/core/styles';
import type { MetricsUnit } from '@cluster-registry/plugin-cluster-registry-common';
import { useMemo } from 'react';
import useMeasure from 'react-use/esm/useMeasure';
import {
  Area,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatTick, formatValue } from './format';

/** One line (or stacked area) of a chart. */
export interface ChartSeries {
  key: string;
  name: string;
  /** [unix seconds, value or null] pairs. */
  points: Array<Array<number | null>>;
  color?: string;
  /** Drawn dashed: a reference such as requests or limits. */
  dashed?: boolean;
}

/** Width when nothing could be measured (jsdom, a hidden tab). */
const FALLBACK_WIDTH = 600;

/** Series colours from the MUI theme, the status colours first. */
export function seriesPalette(theme: Theme): string[] {
  const p = theme.palette;
  return [
    p.primary.main,
    p.secondary.main,
    p.success.main,
    p.warning.main,
    p.error.main,
    p.info.main,
    p.primary.dark,
    p.secondary.dark,
    p.success.dark,
    p.grey[600],
  ];
}

/** Rows keyed by time (ms) with one column per series; absent values are gaps. */
function rowsOf(series: ChartSeries[]) {
  const byTime = new Map<number, Record<string, number | null>>();
  for (const s of series) {
    for (const [t, v] of s.points) {
      if (t === null || t === undefined) continue;
      const ms = t * 1000;
      let row = byTime.get(ms);
      if (!row) byTime.set(ms, (row = { t: ms }));
      row[s.key] = v ?? null;
    }
  }
  return [...byTime.values()].sort((a, b) => a.t! - b.t!);
}

/**
 * A ratio's axis starts at 0; with nothing but zeros (no errors) it spans
 * 0–100 % rather than recharts' default of 0–4 (400 %).
 */
const RATIO_DOMAIN: [number, (dataMax: number) => number] = [
  0,
  dataMax => (dataMax > 0 ? dataMax : 1),
];

/**
 * A time series chart (recharts): numeric time axis, gaps where Prometheus
 * had no value, colours from the theme. It measures its own width; give
 * `width` to fix it (tests: jsdom has no layout).
 */
export function TimeSeriesChart(props: {
  unit: MetricsUnit;
  series: ChartSeries[];
  /** The range shown, for the tick format. */
  spanSeconds: number;
  stacked?: boolean;
  height?: number;
  width?: number;
}) {
  const theme = useTheme();
  const [ref, measured] = useMeasure<HTMLDivElement>();
  const width =
    props.width ?? (measured.width > 0 ? measured.width : FALLBACK_WIDTH);
  const rows = useMemo(() => rowsOf(props.series), [props.series]);
  const palette = seriesPalette(theme);
  const { unit, spanSeconds } = props;
  const format = (v: unknown) =>
    typeof v === 'number' ? formatValue(unit, v) : String(v);

  return (
    <div ref={ref} style={{ width: '100%' }}>
      <ComposedChart
        width={width}
        height={props.height ?? 220}
        data={rows}
        margin={{ top: 8, right: 16, bottom: 0, left: 8 }}
      >
        <CartesianGrid stroke={theme.palette.divider} strokeDasharray="3 3" />
        <XAxis
          dataKey="t"
          type="number"
          scale="time"
          domain={['dataMin', 'dataMax']}
          tickFormatter={(v: number) => formatTick(v, spanSeconds)}
          stroke={theme.palette.text.secondary}
          fontSize={12}
        />
        <YAxis
          tickFormatter={format}
          stroke={theme.palette.text.secondary}
          fontSize={12}
          width={72}
          domain={unit === 'ratio' ? RATIO_DOMAIN : undefined}
        />
        <Tooltip
          labelFormatter={(v: unknown) =>
            typeof v === 'number' ? new Date(v).toLocaleString() : String(v)
          }
          formatter={format}
          contentStyle={{
            background: theme.palette.background.paper,
            borderColor: theme.palette.divider,
          }}
        />
        {props.series.length > 1 && <Legend />}
        {props.series.map((s, i) => {
          const color = s.color ?? palette[i % palette.length];
          return props.stacked ? (
            <Area
              key={s.key}
              dataKey={s.key}
              name={s.name}
              stackId="stack"
              type="monotone"
              stroke={color}
              fill={color}
              fillOpacity={0.4}
              connectNulls={false}
              isAnimationActive={false}
            />
          ) : (
            <Line
              key={s.key}
              dataKey={s.key}
              name={s.name}
              type="monotone"
              stroke={color}
              strokeWidth={s.dashed ? 1.5 : 2}
              strokeDasharray={s.dashed ? '6 4' : undefined}
              dot={false}
              connectNulls={false}
              isAnimationActive={false}
            />
          );
        })}
      </ComposedChart>
    </div>
  );
}
