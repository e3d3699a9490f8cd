import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemIcon from '@material-ui/core/ListItemIcon';
import ListItemText from '@material-ui/core/ListItemText';
import { useTheme } from '@material-ui/core/styles';
import CheckCircle from '@material-ui/icons/CheckCircle';
import RemoveCircleOutline from '@material-ui/icons/RemoveCircleOutline';
import Alert from '@material-ui/lab/Alert';
import type { Exporter } from '@cluster-registry/plugin-cluster-registry-common';
import useAsync from 'react-use/esm/useAsync';
import { clusterRegistryApiRef } from '../../api';

const EXPORTER_NAMES: Record<Exporter, string> = {
  nodeExporter: 'node-exporter',
  kubeStateMetrics: 'kube-state-metrics',
  apiserver: 'API server metrics',
  cadvisor: 'cAdvisor (kubelet)',
  application: 'application metrics',
};

/** Which exporters the cluster's Prometheus has, and what a missing one would add. */
export function MetricsSourcesCard({ name }: { name: string }) {
  const api = useApi(clusterRegistryApiRef);
  const theme = useTheme();
  const sources = useAsync(() => api.getMetricsSources(name), [api, name]);

  let body;
  if (sources.error)
    body = <Alert severity="error">{sources.error.message}</Alert>;
  else if (!sources.value) body = <Progress />;
  else {
    const { prometheus, exporters } = sources.value;
    body = (
      <>
        {prometheus.ok ? (
          <Alert severity="success">
            Prometheus{prometheus.version ? ` ${prometheus.version}` : ''}{' '}
            answers
            {prometheus.seriesCount !== undefined &&
              ` (${prometheus.seriesCount} scrape targets)`}
          </Alert>
        ) : (
          <Alert severity="error">
            Prometheus does not answer:{' '}
            {prometheus.message ?? 'no reason given'}
          </Alert>
        )}
        <List dense>
          {exporters.map(e => (
            <ListItem key={e.exporter}>
              <ListItemIcon>
                {e.found ? (
                  <CheckCircle
                    style={{ color: theme.palette.success.main }}
                    titleAccess="found"
                  />
                ) : (
                  <RemoveCircleOutline color="disabled" titleAccess="missing" />
                )}
              </ListItemIcon>
              <ListItemText
                primary={`${EXPORTER_NAMES[e.exporter] ?? e.exporter}: ${
                  e.found ? 'found' : 'not found'
                }`}
                secondary={
                  e.found
                    ? `${e.adds} · ${e.job}`
                    : `Install or scrape it to see ${e.adds} (looked for ${e.job})`
                }
              />
            </ListItem>
          ))}
        </List>
      </>
    );
  }
  return <InfoCard title="Metrics sources">{body}</InfoCard>;
}
