import { InfoCard, LinearGauge } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import type {
  ClusterInsightCapacity,
  ResourceUse,
} from '@cluster-registry/plugin-cluster-registry-common';
import { formatBytes, formatCores, formatCount, formatPercent } from './format';

/** A share of the allocatable amount, when both numbers are known. */
function share(part: number | undefined, whole: number | undefined) {
  return part === undefined || !whole ? undefined : part / whole;
}

function Row(props: { label: string; value: string; ratio?: number }) {
  return (
    <Box mb={1}>
      <Box display="flex" justifyContent="space-between">
        <Typography variant="body2">{props.label}</Typography>
        <Typography variant="body2" aria-label={props.label}>
          {props.value}
          {props.ratio !== undefined && ` (${formatPercent(props.ratio)})`}
        </Typography>
      </Box>
      {props.ratio !== undefined && (
        <LinearGauge value={Math.min(1, props.ratio)} />
      )}
    </Box>
  );
}

function Tile(props: {
  title: string;
  use: ResourceUse;
  format(n: number | undefined): string;
}) {
  const { use, format } = props;
  return (
    <InfoCard title={props.title} variant="gridItem">
      <div role="group" aria-label={`${props.title} capacity`}>
        <Row
          label="used"
          value={format(use.used)}
          ratio={share(use.used, use.allocatable)}
        />
        <Row
          label="requested"
          value={format(use.requested)}
          ratio={share(use.requested, use.allocatable)}
        />
        {use.limits !== undefined && (
          <Row
            label="limits"
            value={format(use.limits)}
            ratio={share(use.limits, use.allocatable)}
          />
        )}
        <Row label="allocatable" value={format(use.allocatable)} />
        {use.capacity !== undefined && use.capacity !== use.allocatable && (
          <Row label="capacity" value={format(use.capacity)} />
        )}
      </div>
    </InfoCard>
  );
}

/** CPU, memory and pods: used / requested / allocatable; unknown numbers read "—". */
export function CapacityTiles({
  capacity,
}: {
  capacity: ClusterInsightCapacity;
}) {
  if (!capacity.value)
    return (
      <Grid item xs={12}>
        <InfoCard title="Capacity">
          <Alert severity="warning">
            {capacity.error ?? 'The capacity is not known.'}
          </Alert>
        </InfoCard>
      </Grid>
    );
  const c = capacity.value;
  return (
    <>
      {capacity.error && (
        <Grid item xs={12}>
          <Alert severity="warning">{capacity.error}</Alert>
        </Grid>
      )}
      <Grid item xs={12} md={4}>
        <Tile title="CPU (cores)" use={c.cpu} format={formatCores} />
      </Grid>
      <Grid item xs={12} md={4}>
        <Tile title="Memory" use={c.memory} format={formatBytes} />
      </Grid>
      <Grid item xs={12} md={4}>
        <Tile title="Pods" use={c.pods} format={formatCount} />
      </Grid>
    </>
  );
}
