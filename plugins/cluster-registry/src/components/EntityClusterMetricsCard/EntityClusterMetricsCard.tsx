import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import { useTheme } from '@material-ui/core/styles';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import {
  EntityClusterMetrics,
  EntityWorkload,
  METRICS_RANGES,
  MetricsRangeName,
  MetricsResult,
} from '@cluster-registry/plugin-cluster-registry-common';
import { ReactNode, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { clusterRegistryApiRef } from '../../api';
import { MetricsPanel, seriesOf } from '../ClusterInsight/MetricsPanel';
import { DEFAULT_RANGE, RangeSelector } from '../ClusterInsight/RangeSelector';

const KUBERNETES_ID = 'backstage.io/kubernetes-id';
const LABEL_SELECTOR = 'backstage.io/kubernetes-label-selector';
const FAMILY = 'cluster-registry.io/metrics-family';
const REQUESTS_METRIC = 'cluster-registry.io/http-requests-metric';

function WorkloadChip({ w }: { w: EntityWorkload }) {
  const known =
    w.desiredReplicas !== undefined && w.availableReplicas !== undefined;
  const short = known && w.availableReplicas! < w.desiredReplicas!;
  return (
    <Chip
      size="small"
      variant={short ? 'default' : 'outlined'}
      color={short ? 'secondary' : 'default'}
      label={`${w.kind} ${w.namespace}/${w.name}: ${
        known
          ? `${w.availableReplicas}/${w.desiredReplicas} available`
          : 'replicas unknown'
      }`}
    />
  );
}

/** The panels of one cluster running the entity's workloads. */
function ClusterMetricsPanels(props: {
  metrics: EntityClusterMetrics;
  family: string;
  span: number;
}) {
  const theme = useTheme();
  const { metrics: m, family, span } = props;
  if (m.error)
    return (
      <Alert severity="error">
        {m.title ?? m.cluster}: {m.error}
      </Alert>
    );
  const byId = (id: string): MetricsResult | undefined =>
    m.results.find(r => r.id === id);
  const appNoData = (
    <>
      No HTTP metrics of the {family || 'default'} family from these pods in
      this range. Set {FAMILY} (prometheus-client, otel, micrometer) or{' '}
      {REQUESTS_METRIC} to the names the application exposes, and make sure
      Prometheus scrapes its pods.
    </>
  );
  const cadvisorNoData =
    "No data: the cluster's Prometheus does not scrape cAdvisor (the kubelet's /metrics/cadvisor).";
  const ksmNoData =
    "No data: the cluster's Prometheus does not scrape kube-state-metrics.";
  const q = theme.palette;
  const quantileColors = {
    p50: q.success.main,
    p95: q.warning.main,
    p99: q.error.main,
  };
  const panel = (
    title: string,
    ids: string[],
    series: ReturnType<typeof seriesOf>,
    noData: ReactNode,
  ) => {
    const results = ids.map(byId);
    return (
      <Grid item xs={12} md={6}>
        <MetricsPanel
          title={title}
          unit={results[0]?.unit ?? 'count'}
          spanSeconds={span}
          results={results}
          series={series}
          noData={noData}
        />
      </Grid>
    );
  };
  return (
    <>
      <Box display="flex" flexWrap="wrap" style={{ gap: 4 }} mb={2}>
        {m.workloads.map(w => (
          <WorkloadChip key={`${w.kind}/${w.namespace}/${w.name}`} w={w} />
        ))}
      </Box>
      {m.results.length === 0 ? (
        <Alert severity="info">
          {m.title ?? m.cluster} has no Prometheus configured in the registry.
        </Alert>
      ) : (
        <Grid container spacing={2}>
          {panel(
            'Requests',
            ['app.requestRate'],
            seriesOf(byId('app.requestRate'), { labels: ['workload'] }),
            appNoData,
          )}
          {panel(
            'Error ratio',
            ['app.errorRatio'],
            seriesOf(byId('app.errorRatio'), { labels: ['workload'] }),
            appNoData,
          )}
          {panel(
            'Latency p50 / p95 / p99',
            ['app.latency'],
            seriesOf(byId('app.latency'), {
              labels: ['workload', 'quantile'],
              colors: quantileColors,
            }),
            appNoData,
          )}
          {panel(
            'CPU per pod (cores)',
            ['workload.cpu', 'workload.cpuRequests'],
            [
              ...seriesOf(byId('workload.cpu'), { labels: ['pod'] }),
              ...seriesOf(byId('workload.cpuRequests'), {
                labels: ['workload', 'kind'],
                dashed: true,
              }),
            ],
            cadvisorNoData,
          )}
          {panel(
            'Memory per pod',
            ['workload.memory', 'workload.memoryRequests'],
            [
              ...seriesOf(byId('workload.memory'), { labels: ['pod'] }),
              ...seriesOf(byId('workload.memoryRequests'), {
                labels: ['workload', 'kind'],
                dashed: true,
              }),
            ],
            cadvisorNoData,
          )}
          {panel(
            'Container restarts',
            ['workload.restarts'],
            seriesOf(byId('workload.restarts'), { labels: ['pod'] }),
            ksmNoData,
          )}
        </Grid>
      )}
    </>
  );
}

/**
 * An entity's application metrics in the registered clusters that run its
 * workloads (found by the Kubernetes plugin's annotations): requests, errors,
 * latency, CPU and memory per pod against requests and limits, restarts and
 * replicas.
 * @public
 */
export function EntityClusterMetricsCard() {
  const { entity } = useEntity();
  const api = useApi(clusterRegistryApiRef);
  const [range, setRange] = useState<MetricsRangeName>(DEFAULT_RANGE);
  const [categories, setCategories] = useState<string[]>([]);
  const [tab, setTab] = useState(0);
  const annotations = entity.metadata.annotations ?? {};
  const findable = !!(
    annotations[KUBERNETES_ID] || annotations[LABEL_SELECTOR]
  );
  const entityRef = stringifyEntityRef(entity);
  const allCategories = useAsync(() => api.listCategories(), [api]);
  const metrics = useAsync(
    async () =>
      findable
        ? api.queryEntityMetrics({
            entityRef,
            range: { last: range },
            categories: categories.length ? categories : undefined,
          })
        : undefined,
    [api, entityRef, findable, range, categories],
  );
  const toggle = (name: string) =>
    setCategories(
      categories.includes(name)
        ? categories.filter(c => c !== name)
        : [...categories, name],
    );

  let body: ReactNode;
  if (!findable)
    body = (
      <EmptyState
        missing="field"
        title="The workloads of this entity cannot be found"
        description={`Add the annotation ${KUBERNETES_ID} (pods labelled ${KUBERNETES_ID}=<id>) or ${LABEL_SELECTOR} to this entity, as for the Kubernetes tab; then its metrics are read from every registered cluster with Prometheus that runs it.`}
      />
    );
  else if (metrics.error) body = <ResponseErrorPanel error={metrics.error} />;
  else if (metrics.loading || !metrics.value) body = <Progress />;
  else if (!metrics.value.family)
    body = (
      <Alert severity="error">
        The metric annotations cannot be used: {metrics.value.selector}
      </Alert>
    );
  else if (!metrics.value.clusters.length)
    body = (
      <EmptyState
        missing="data"
        title="Not running in a registered cluster with Prometheus"
        description={
          metrics.value.searched
            ? `Searched ${metrics.value.searched} cluster(s) for workloads matching ${metrics.value.selector}; none runs them.`
            : `No registered cluster${
                categories.length ? ' in the chosen categories' : ''
              } has Prometheus configured, so there is nothing to ask.`
        }
      />
    );
  else {
    const clusters = metrics.value.clusters;
    const current = clusters[Math.min(tab, clusters.length - 1)];
    body = (
      <>
        {clusters.length > 1 && (
          <Tabs
            value={Math.min(tab, clusters.length - 1)}
            onChange={(_e, v: number) => setTab(v)}
            indicatorColor="primary"
            variant="scrollable"
          >
            {clusters.map(c => (
              <Tab key={c.cluster} label={c.title ?? c.cluster} />
            ))}
          </Tabs>
        )}
        {clusters.length === 1 && (
          <Typography variant="subtitle1" gutterBottom>
            {current.title ?? current.cluster}
            {current.category && ` · ${current.category}`}
          </Typography>
        )}
        <ClusterMetricsPanels
          key={current.cluster}
          metrics={current}
          family={metrics.value.family}
          span={METRICS_RANGES[range]}
        />
        <Typography variant="caption" color="textSecondary">
          Workloads matching {metrics.value.selector}; {metrics.value.family}{' '}
          HTTP metrics; {metrics.value.searched} cluster(s) with Prometheus
          asked.
        </Typography>
      </>
    );
  }

  return (
    <InfoCard
      title="Application metrics"
      action={
        findable ? (
          <Box pt={1} pr={1}>
            <RangeSelector value={range} onChange={setRange} />
          </Box>
        ) : undefined
      }
    >
      {findable && !!allCategories.value?.length && (
        <Box
          display="flex"
          flexWrap="wrap"
          style={{ gap: 4 }}
          mb={2}
          role="group"
          aria-label="Filter clusters by category"
        >
          {allCategories.value.map(c => (
            <Chip
              key={c.name}
              size="small"
              label={c.name}
              clickable
              color={categories.includes(c.name) ? 'primary' : 'default'}
              aria-pressed={categories.includes(c.name)}
              onClick={() => toggle(c.name)}
            />
          ))}
        </Box>
      )}
      {body}
    </InfoCard>
  );
}
