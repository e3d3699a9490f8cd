import { Table, TableColumn } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Switch from '@material-ui/core/Switch';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import WarningIcon from '@material-ui/icons/Warning';
import Alert from '@material-ui/lab/Alert';
import type {
  ClusterInsightNodes,
  ClusterNode,
  NodeTaint,
} from '@cluster-registry/plugin-cluster-registry-common';
import { useState } from 'react';
import {
  formatAge,
  formatBytes,
  formatCores,
  formatCount,
  formatPercent,
  UNKNOWN,
} from './format';

/** Taints that keep pods off (NoSchedule) or evict them (NoExecute). */
const STRONG_EFFECTS = ['NoSchedule', 'NoExecute'];

function hasProblem(n: ClusterNode) {
  return n.status !== 'Ready' || n.unschedulable || n.problems.length > 0;
}

function taintText(t: NodeTaint) {
  return `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;
}

function StatusCell({ node }: { node: ClusterNode }) {
  return (
    <Box display="flex" flexWrap="wrap" style={{ gap: 4 }}>
      <Chip
        size="small"
        label={node.status}
        color={node.status === 'Ready' ? 'primary' : 'secondary'}
        variant={node.status === 'Ready' ? 'outlined' : 'default'}
      />
      {node.unschedulable && (
        <Chip size="small" label="SchedulingDisabled" variant="outlined" />
      )}
      {node.problems.map(p => (
        <Chip key={p} size="small" label={p} color="secondary" />
      ))}
    </Box>
  );
}

function TaintsCell({ taints }: { taints: NodeTaint[] }) {
  if (!taints.length) return <>0</>;
  const strong = taints.some(t => STRONG_EFFECTS.includes(t.effect));
  return (
    <Tooltip
      interactive
      title={
        <Box display="flex" flexDirection="column" style={{ gap: 4 }}>
          {taints.map(t => (
            <Chip
              key={taintText(t)}
              size="small"
              label={taintText(t)}
              color={
                STRONG_EFFECTS.includes(t.effect) ? 'secondary' : 'default'
              }
            />
          ))}
        </Box>
      }
    >
      <Chip
        size="small"
        label={taints.length}
        color={strong ? 'secondary' : 'default'}
        aria-label={`${taints.length} taints: ${taints
          .map(taintText)
          .join(', ')}`}
      />
    </Tooltip>
  );
}

const columns: TableColumn<ClusterNode>[] = [
  { title: 'Name', field: 'name', highlight: true },
  {
    title: 'Status',
    field: 'status',
    render: n => <StatusCell node={n} />,
  },
  {
    title: 'Roles',
    field: 'roles',
    render: n =>
      n.roles.length ? (
        <Box display="flex" flexWrap="wrap" style={{ gap: 4 }}>
          {n.roles.map(r => (
            <Chip key={r} size="small" label={r} variant="outlined" />
          ))}
        </Box>
      ) : (
        UNKNOWN
      ),
  },
  {
    title: 'Version',
    field: 'kubeletVersion',
    render: n => (
      <Box display="flex" alignItems="center" style={{ gap: 4 }}>
        {n.kubeletVersion}
        {n.versionSkew && (
          <Tooltip title={n.versionSkew.message}>
            <WarningIcon
              fontSize="small"
              color="error"
              titleAccess={`version skew: ${n.versionSkew.message}`}
            />
          </Tooltip>
        )}
      </Box>
    ),
  },
  {
    title: 'OS/Arch',
    render: n => (
      <Tooltip
        title={[n.osImage, n.kernelVersion, n.containerRuntime]
          .filter(Boolean)
          .join(' · ')}
      >
        <span>
          {n.operatingSystem || n.architecture
            ? `${n.operatingSystem ?? '?'}/${n.architecture ?? '?'}`
            : UNKNOWN}
        </span>
      </Tooltip>
    ),
  },
  {
    title: 'CPU alloc/cap',
    render: n =>
      `${formatCores(n.allocatable.cpu)} / ${formatCores(n.capacity.cpu)}`,
  },
  {
    title: 'Memory alloc/cap',
    render: n =>
      `${formatBytes(n.allocatable.memoryBytes)} / ${formatBytes(
        n.capacity.memoryBytes,
      )}`,
  },
  {
    title: 'Pods',
    render: n =>
      `${formatCount(n.podCount)} / ${formatCount(n.allocatable.pods)}`,
  },
  {
    title: 'Usage',
    render: n =>
      n.usage
        ? `CPU ${formatPercent(n.usage.cpu)}, memory ${formatPercent(
            n.usage.memory,
          )}`
        : UNKNOWN,
  },
  {
    title: 'Taints',
    render: n => <TaintsCell taints={n.taints} />,
  },
  { title: 'Internal IP', field: 'internalIp', emptyValue: UNKNOWN },
  {
    title: 'Age',
    field: 'createdAt',
    render: n => (
      <Tooltip title={new Date(n.createdAt).toLocaleString()}>
        <span>{formatAge(n.createdAt)}</span>
      </Tooltip>
    ),
  },
];

/** The nodes as the API server reports them, with role and problem filters. */
export function NodesTable({ nodes }: { nodes: ClusterInsightNodes }) {
  const [roles, setRoles] = useState<string[]>([]);
  const [problemsOnly, setProblemsOnly] = useState(false);
  if (!nodes.items)
    return (
      <Alert severity="warning">
        Nodes: {nodes.error ?? 'the nodes are not known.'}
      </Alert>
    );
  const all = nodes.items;
  const allRoles = [...new Set(all.flatMap(n => n.roles))].sort();
  const shown = all.filter(
    n =>
      (!roles.length || n.roles.some(r => roles.includes(r))) &&
      (!problemsOnly || hasProblem(n)),
  );
  const ready = all.filter(n => n.status === 'Ready').length;
  const toggleRole = (r: string) =>
    setRoles(roles.includes(r) ? roles.filter(x => x !== r) : [...roles, r]);

  return (
    <>
      {nodes.error && <Alert severity="warning">{nodes.error}</Alert>}
      <Box
        display="flex"
        flexWrap="wrap"
        alignItems="center"
        style={{ gap: 4 }}
        role="group"
        aria-label="Filter nodes"
        mb={1}
      >
        {allRoles.map(r => (
          <Chip
            key={r}
            size="small"
            label={r}
            clickable
            color={roles.includes(r) ? 'primary' : 'default'}
            aria-pressed={roles.includes(r)}
            onClick={() => toggleRole(r)}
          />
        ))}
        <FormControlLabel
          control={
            <Switch
              size="small"
              checked={problemsOnly}
              onChange={e => setProblemsOnly(e.target.checked)}
            />
          }
          label={<Typography variant="body2">Problem nodes only</Typography>}
        />
      </Box>
      <Table<ClusterNode>
        title={`Nodes (${ready}/${all.length} ready${
          nodes.truncated ? ', list truncated' : ''
        })`}
        options={{
          search: false,
          paging: all.length > 20,
          pageSize: 20,
          padding: 'dense',
        }}
        columns={columns}
        data={shown}
        emptyContent={
          <Box p={2}>
            <Typography variant="body2">No nodes match.</Typography>
          </Box>
        }
      />
    </>
  );
}
