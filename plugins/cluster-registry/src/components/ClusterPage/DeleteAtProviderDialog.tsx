import DialogContentText from '@material-ui/core/DialogContentText';
import TextField from '@material-ui/core/TextField';
import { useState } from 'react';
import { ActionDialog } from '../ActionDialog';

/**
 * Confirms deleting a portal-created cluster at its provider, by typing its
 * name: unlike Disconnect, the cluster and everything the portal created
 * for it are destroyed.
 */
export function DeleteAtProviderDialog(props: {
  name: string;
  provider: string;
  open: boolean;
  busy: boolean;
  onCancel(): void;
  onConfirm(): void;
}) {
  const [typed, setTyped] = useState('');
  return (
    <ActionDialog
      id="deprovision"
      title={`Delete ${props.name} at ${props.provider.toUpperCase()}?`}
      open={props.open}
      onCancel={props.onCancel}
      action={{
        label: `Delete at ${props.provider.toUpperCase()}`,
        onClick: props.onConfirm,
        disabled: props.busy || typed !== props.name,
        destructive: true,
      }}
    >
      <DialogContentText>
        The cluster <strong>{props.name}</strong> leaves the Kubernetes tabs at
        once. Then its control plane, its OIDC provider, its IAM role and its
        network are deleted, in that order; only what the portal created for it
        (tagged with its request) goes. Its workloads are lost. The page shows
        each step; the record goes last.
      </DialogContentText>
      <TextField
        id="deprovision-confirm"
        label={`Type ${props.name} to confirm`}
        value={typed}
        onChange={e => setTyped(e.target.value)}
        fullWidth
        margin="dense"
        variant="outlined"
      />
    </ActionDialog>
  );
}
