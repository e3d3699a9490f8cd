import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';

/** Confirms a disconnect, naming the cluster and saying the cluster itself is not touched. */
export function DisconnectDialog(props: {
  name: string;
  open: boolean;
  busy: boolean;
  onCancel(): void;
  onConfirm(): void;
}) {
  return (
    <Dialog
      open={props.open}
      onClose={props.onCancel}
      aria-labelledby="disconnect-title"
    >
      <DialogTitle id="disconnect-title">Disconnect {props.name}?</DialogTitle>
      <DialogContent>
        <DialogContentText>
          The portal forgets <strong>{props.name}</strong>: its record and
          stored credentials are removed, and it leaves the catalog and the
          Kubernetes tabs. The cluster itself is not touched.
        </DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onCancel}>Cancel</Button>
        <Button
          color="secondary"
          variant="contained"
          disabled={props.busy}
          onClick={props.onConfirm}
        >
          Disconnect
        </Button>
      </DialogActions>
    </Dialog>
  );
}
