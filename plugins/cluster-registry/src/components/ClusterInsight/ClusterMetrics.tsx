import { ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import { useTheme } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import {
  METRICS_RANGES,
  MetricsResult,
} from '@cluster-registry/plugin-cluster-registry-common';
import useAsync from 'react-use/esm/useAsync';
import { clusterRegistryApiRef } from '../../api';
import { MetricsPanel, seriesOf } from './MetricsPanel';
import { MetricsSourcesCard } from './MetricsSourcesCard';
import { RangeSelector, useRangeParam } from './RangeSelector';

/** The cluster charts, in the order shown. */
const QUERIES = [
  'cpu.utilisation',
  'memory.utilisation',
  'pods.byPhase',
  'api.requestRate',
  'api.latencyP99',
  'api.errorRatio',
];

/**
 * The metrics of a cluster with Prometheus: a range (kept in the URL), the
 * charts of the named queries, and which exporters were found.
 */
export function ClusterMetrics({ name }: { name: string }) {
  const api = useApi(clusterRegistryApiRef);
  const theme = useTheme();
  const [range, setRange] = useRangeParam();
  const metrics = useAsync(
    () =>
      api.queryClusterMetrics(name, {
        queries: QUERIES,
        range: { last: range },
      }),
    [api, name, range],
  );
  const byId = (id: string): MetricsResult | undefined =>
    metrics.value?.results.find(r => r.id === id);
  const loaded = (...ids: string[]) =>
    metrics.loading || !metrics.value ? undefined : ids.map(byId);
  const span = METRICS_RANGES[range];
  const p = theme.palette;
  const phaseColors = {
    Running: p.success.main,
    Pending: p.warning.main,
    Failed: p.error.main,
    Succeeded: p.info.main,
    Unknown: p.grey[500],
  };
  const codeColors = {
    '2xx': p.success.main,
    '3xx': p.info.main,
    '4xx': p.warning.main,
    '5xx': p.error.main,
  };
  const panel = (
    id: string,
    title: string,
    options: Parameters<typeof seriesOf>[1] & { stacked?: boolean } = {},
  ) => {
    const result = byId(id);
    return (
      <Grid item xs={12} md={6}>
        <MetricsPanel
          title={title}
          unit={result?.unit ?? 'count'}
          spanSeconds={span}
          results={loaded(id)}
          series={seriesOf(result, options)}
          stacked={options.stacked}
        />
      </Grid>
    );
  };

  return (
    <>
      <Grid item xs={12}>
        <Box display="flex" alignItems="center" style={{ gap: 16 }}>
          <Typography variant="h5" component="h2">
            Metrics
          </Typography>
          <RangeSelector value={range} onChange={setRange} />
          {metrics.value && (
            <Typography variant="caption" color="textSecondary">
              step {metrics.value.stepSeconds}s, rate window{' '}
              {metrics.value.windowSeconds}s
            </Typography>
          )}
        </Box>
      </Grid>
      {metrics.error ? (
        <Grid item xs={12}>
          <ResponseErrorPanel error={metrics.error} />
        </Grid>
      ) : (
        <>
          {panel('cpu.utilisation', 'CPU utilisation', { labels: [] })}
          {panel('memory.utilisation', 'Memory utilisation', { labels: [] })}
          {panel('pods.byPhase', 'Pods by phase', {
            labels: ['phase'],
            colors: phaseColors,
            stacked: true,
          })}
          {panel('api.requestRate', 'API requests by code', {
            labels: ['code'],
            colors: codeColors,
          })}
          {panel('api.latencyP99', 'API p99 latency by verb', {
            labels: ['verb'],
          })}
          {panel('api.errorRatio', 'API error ratio (5xx)', { labels: [] })}
        </>
      )}
      <Grid item xs={12}>
        <MetricsSourcesCard name={name} />
      </Grid>
    </>
  );
}
