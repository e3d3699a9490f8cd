import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import Tooltip from '@material-ui/core/Tooltip';
import { ClusterStatus } from '@cluster-registry/plugin-cluster-registry-common';

const ICONS = {
  running: StatusOK,
  pending: StatusPending,
  provisioning: StatusRunning,
  unreachable: StatusError,
  unauthorized: StatusWarning,
  failed: StatusError,
  deleting: StatusRunning,
  isolated: StatusAborted,
} as const;

/** A coloured state with the reason on hover, like KKP's state dot. */
export function ClusterStateIcon({ status }: { status: ClusterStatus }) {
  const Icon = ICONS[status.state] ?? StatusPending;
  return (
    <Tooltip title={status.message ?? status.state}>
      <span>
        <Icon>{status.state}</Icon>
      </span>
    </Tooltip>
  );
}
