import { InfoCard, Progress } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import type {
  MetricsResult,
  MetricsUnit,
} from '@cluster-registry/plugin-cluster-registry-common';
import { ReactNode } from 'react';
import { ChartSeries, TimeSeriesChart } from './TimeSeriesChart';

/**
 * The series of a result, named by the given labels (or all of them), with
 * colours picked per name where given.
 */
export function seriesOf(
  result: MetricsResult | undefined,
  options: {
    labels?: string[];
    colors?: Record<string, string>;
    dashed?: boolean;
    /** A name prefix, to keep keys apart when results are combined. */
    prefix?: string;
  } = {},
): ChartSeries[] {
  return (result?.series ?? []).map((s, i) => {
    const keys = options.labels ?? Object.keys(s.labels).sort();
    const name =
      keys
        .map(k => s.labels[k])
        .filter(Boolean)
        .join(' · ') || result!.title;
    return {
      key: `${options.prefix ?? result!.id}#${i}`,
      name: options.prefix ? `${options.prefix} ${name}` : name,
      points: s.points,
      color: options.colors?.[s.labels[keys[keys.length - 1]]],
      dashed: options.dashed,
    };
  });
}

/**
 * One chart in a card, with its own states: loading, the query's error, and
 * "no data in this range".
 */
export function MetricsPanel(props: {
  title: string;
  unit: MetricsUnit;
  spanSeconds: number;
  /** The results drawn; undefined while they load. */
  results: Array<MetricsResult | undefined> | undefined;
  series: ChartSeries[];
  stacked?: boolean;
  /** Said instead of "no data in this range", e.g. which exporter is missing. */
  noData?: ReactNode;
  subheader?: string;
}) {
  let body: ReactNode;
  const errors = (props.results ?? [])
    .filter((r): r is MetricsResult => !!r?.error)
    .map(r => `${r.title}: ${r.error}`);
  if (!props.results) body = <Progress />;
  else {
    const hasPoints = props.series.some(s => s.points.length > 0);
    body = (
      <>
        {errors.map(e => (
          <Alert key={e} severity="warning">
            {e}
          </Alert>
        ))}
        {hasPoints && (
          <TimeSeriesChart
            unit={props.unit}
            series={props.series}
            spanSeconds={props.spanSeconds}
            stacked={props.stacked}
          />
        )}
        {!hasPoints && !errors.length && (
          <Box py={4} textAlign="center">
            <Typography variant="body2" color="textSecondary">
              {props.noData ?? 'No data in this range.'}
            </Typography>
          </Box>
        )}
      </>
    );
  }
  return (
    <InfoCard title={props.title} subheader={props.subheader} noPadding={false}>
      <div aria-label={`${props.title} chart`} role="figure">
        {body}
      </div>
    </InfoCard>
  );
}
