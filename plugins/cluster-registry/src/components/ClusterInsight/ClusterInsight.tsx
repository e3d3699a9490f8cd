import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Grid from '@material-ui/core/Grid';
import type { Cluster } from '@cluster-registry/plugin-cluster-registry-common';
import useAsync from 'react-use/esm/useAsync';
import { clusterRegistryApiRef } from '../../api';
import { AccessCard } from './AccessCard';
import { CapacityTiles } from './CapacityTiles';
import { ClusterMetrics } from './ClusterMetrics';
import { EventsTable } from './EventsTable';
import { NodesTable } from './NodesTable';
import { VersionCard } from './VersionCard';

/**
 * What the cluster's API server (and its Prometheus, if any) says now, below
 * the cluster's details: version, capacity, nodes, events, access, metrics.
 * Each section loads on its own and shows its own error. Render it inside a
 * Grid container.
 */
export function ClusterInsight({ cluster }: { cluster: Cluster }) {
  const api = useApi(clusterRegistryApiRef);
  // Read again after a health check (Refresh now) has updated the record.
  const insight = useAsync(
    () => api.getClusterInsight(cluster.name),
    [api, cluster.name, cluster.status.checkedAt],
  );

  let live;
  if (insight.error)
    live = (
      <Grid item xs={12}>
        <InfoCard title="Nodes and capacity">
          <ResponseErrorPanel error={insight.error} />
        </InfoCard>
      </Grid>
    );
  else if (!insight.value)
    live = (
      <Grid item xs={12}>
        <Progress />
      </Grid>
    );
  else {
    const i = insight.value;
    live = (
      <>
        <Grid item xs={12} md={6}>
          <VersionCard support={i.version} />
        </Grid>
        <Grid item xs={12} md={6}>
          <AccessCard access={i.access} />
        </Grid>
        <CapacityTiles capacity={i.capacity} />
        <Grid item xs={12}>
          <NodesTable nodes={i.nodes} />
        </Grid>
      </>
    );
  }

  return (
    <>
      {live}
      <Grid item xs={12}>
        <EventsTable name={cluster.name} />
      </Grid>
      {cluster.prometheus && <ClusterMetrics name={cluster.name} />}
    </>
  );
}
