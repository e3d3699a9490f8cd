import DialogContentText from '@material-ui/core/DialogContentText';
import { ActionDialog } from '../ActionDialog';

/** Confirms a disconnect, naming the cluster and saying the cluster itself is not touched. */
export function DisconnectDialog(props: {
  name: string;
  open: boolean;
  busy: boolean;
  onCancel(): void;
  onConfirm(): void;
}) {
  return (
    <ActionDialog
      id="disconnect"
      title={`Disconnect ${props.name}?`}
      open={props.open}
      onCancel={props.onCancel}
      action={{
        label: 'Disconnect',
        onClick: props.onConfirm,
        disabled: props.busy,
        destructive: true,
      }}
    >
      <DialogContentText>
        The portal forgets <strong>{props.name}</strong>: its record and stored
        credentials are removed, and it leaves the catalog and the Kubernetes
        tabs. The cluster itself is not touched.
      </DialogContentText>
    </ActionDialog>
  );
}
