import { Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Switch from '@material-ui/core/Switch';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import type { ClusterEvent } from '@cluster-registry/plugin-cluster-registry-common';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { clusterRegistryApiRef } from '../../api';
import { formatAge, UNKNOWN } from './format';

const columns: TableColumn<ClusterEvent>[] = [
  {
    title: 'Type',
    field: 'type',
    render: e => (
      <Typography
        variant="body2"
        color={e.type === 'Warning' ? 'error' : 'textPrimary'}
      >
        {e.type}
      </Typography>
    ),
  },
  { title: 'Reason', field: 'reason' },
  {
    title: 'Object',
    render: e => `${e.object.kind}/${e.object.name}`,
  },
  {
    title: 'Namespace',
    render: e => e.object.namespace ?? UNKNOWN,
  },
  { title: 'Message', field: 'message', width: '40%' },
  { title: 'Count', field: 'count', type: 'numeric' },
  {
    title: 'Last seen',
    render: e =>
      e.lastSeen ? (
        <Tooltip title={new Date(e.lastSeen).toLocaleString()}>
          <span>{formatAge(e.lastSeen)} ago</span>
        </Tooltip>
      ) : (
        UNKNOWN
      ),
  },
];

/** The cluster's events, warnings only by default. */
export function EventsTable({ name }: { name: string }) {
  const api = useApi(clusterRegistryApiRef);
  const [onlyWarnings, setOnlyWarnings] = useState(true);
  const events = useAsync(
    () =>
      api.listClusterEvents(name, { type: onlyWarnings ? 'Warning' : 'all' }),
    [api, name, onlyWarnings],
  );
  const count = events.value?.warningCount;
  return (
    <>
      <Box display="flex" justifyContent="flex-end">
        <FormControlLabel
          control={
            <Switch
              checked={onlyWarnings}
              onChange={e => setOnlyWarnings(e.target.checked)}
              color="primary"
            />
          }
          label={`Only warnings${count !== undefined ? ` (${count})` : ''}`}
        />
      </Box>
      {events.error ? (
        <Alert severity="warning">Events: {events.error.message}</Alert>
      ) : (
        <Table<ClusterEvent>
          title={`Events${events.value?.truncated ? ' (truncated)' : ''}`}
          isLoading={events.loading}
          options={{
            search: false,
            paging: (events.value?.items.length ?? 0) > 20,
            pageSize: 20,
            padding: 'dense',
          }}
          columns={columns}
          data={events.value?.items ?? []}
          emptyContent={
            <Box p={2}>
              <Typography variant="body2">
                {onlyWarnings ? 'No warning events.' : 'No events.'}
              </Typography>
            </Box>
          }
        />
      )}
    </>
  );
}
