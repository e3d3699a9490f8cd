import Box from '@material-ui/core/Box';
import Checkbox from '@material-ui/core/Checkbox';
import DialogContentText from '@material-ui/core/DialogContentText';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import TextField from '@material-ui/core/TextField';
import { ServiceAccountView } from '@cluster-registry/plugin-cluster-registry-common';
import { useState } from 'react';
import { ActionDialog } from '../ActionDialog';

/**
 * Confirms a disconnect, naming the cluster. The cluster itself is not
 * touched, except that what the registry created there (a ServiceAccount
 * and its bindings) can be removed too, with an admin token given here.
 */
export function DisconnectDialog(props: {
  name: string;
  serviceAccount?: ServiceAccountView;
  open: boolean;
  busy: boolean;
  onCancel(): void;
  /** With an admin token when the created ServiceAccount is to be removed. */
  onConfirm(adminToken?: string): void;
}) {
  const [remove, setRemove] = useState(true);
  const [token, setToken] = useState('');
  const sa = props.serviceAccount;
  const removing = Boolean(sa && remove);
  return (
    <ActionDialog
      id="disconnect"
      title={`Disconnect ${props.name}?`}
      open={props.open}
      onCancel={props.onCancel}
      action={{
        label: 'Disconnect',
        onClick: () => props.onConfirm(removing ? token.trim() : undefined),
        disabled: props.busy || (removing && !token.trim()),
        destructive: true,
      }}
    >
      <DialogContentText>
        The portal forgets <strong>{props.name}</strong>: its record and stored
        credentials are removed, and it leaves the catalog and the Kubernetes
        tabs.{' '}
        {sa
          ? 'The cluster keeps its workloads; what the registry created in it is listed below.'
          : 'The cluster itself is not touched.'}
      </DialogContentText>
      {sa && (
        <Box>
          <FormControlLabel
            control={
              <Checkbox
                checked={remove}
                onChange={e => setRemove(e.target.checked)}
              />
            }
            label={`Also remove ServiceAccount ${sa.namespace}/${sa.name}, its bindings and Role`}
          />
          {remove && (
            <TextField
              id="disconnect-admin-token"
              fullWidth
              type="password"
              label="Admin token for the cluster (used once, not stored)"
              value={token}
              onChange={e => setToken(e.target.value)}
              autoComplete="off"
            />
          )}
        </Box>
      )}
    </ActionDialog>
  );
}
