import { TrendLine } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import { Theme, useTheme } from '@material-ui/core/styles';
import Tooltip from '@material-ui/core/Tooltip';
import type {
  ClusterState,
  HealthSample,
} from '@cluster-registry/plugin-cluster-registry-common';

/** The most recent samples drawn. */
const SHOWN = 24;

function stateColor(state: ClusterState, theme: Theme) {
  const p = theme.palette;
  switch (state) {
    case 'running':
      return p.success.main;
    case 'unreachable':
      return p.error.main;
    case 'unauthorized':
      return p.warning.main;
    default:
      return p.grey[500];
  }
}

/** How many checks ended in each state: "running 10, unreachable 2". */
function summary(samples: HealthSample[]) {
  const counts = new Map<string, number>();
  for (const s of samples) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
  return [...counts].map(([state, n]) => `${state} ${n}`).join(', ');
}

/**
 * The latest health checks of a cluster, oldest first: a dot per check in
 * the colour of its state, and the latency as a sparkline where measured.
 */
export function HealthTrend({ samples }: { samples?: HealthSample[] }) {
  const theme = useTheme();
  if (!samples?.length) return <>—</>;
  const shown = samples.slice(-SHOWN);
  const latencies = shown
    .map(s => s.latencyMs)
    .filter((l): l is number => l !== undefined);
  const last = shown[shown.length - 1];
  const label = `last ${shown.length} checks: ${summary(shown)}${
    last.latencyMs !== undefined ? `; latest ${last.latencyMs} ms` : ''
  }`;
  return (
    <Tooltip
      title={
        <>
          <div>{label}</div>
          {shown
            .slice(-6)
            .reverse()
            .map(s => (
              <div key={s.at}>
                {new Date(s.at).toLocaleString()}: {s.state}
                {s.latencyMs !== undefined && ` (${s.latencyMs} ms)`}
              </div>
            ))}
        </>
      }
    >
      <Box
        display="flex"
        flexDirection="column"
        aria-label={label}
        role="img"
        width={SHOWN * 5}
      >
        {latencies.length > 1 && (
          <TrendLine
            data={latencies}
            title={`latency ${latencies.join(', ')} ms`}
            min={0}
            max={Math.max(...latencies)}
            width={SHOWN * 5}
            height={18}
            color={theme.palette.primary.main}
          />
        )}
        <Box display="flex" style={{ gap: 1 }}>
          {shown.map(s => (
            <span
              key={s.at}
              style={{
                width: 4,
                height: 8,
                borderRadius: 1,
                background: stateColor(s.state, theme),
              }}
            />
          ))}
        </Box>
      </Box>
    </Tooltip>
  );
}
