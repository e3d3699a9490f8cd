import DialogContentText from '@material-ui/core/DialogContentText';
import { ActionDialog } from '../ActionDialog';

/**
 * Confirms trusting a bastion's new SSH host key: the admin compares the
 * fingerprint with the bastion's own before the registry pins it.
 */
export function AcceptHostKeyDialog(props: {
  name: string;
  fingerprint?: string;
  busy: boolean;
  onCancel(): void;
  onConfirm(): void;
}) {
  return (
    <ActionDialog
      id="accept-host-key"
      title="Trust the new SSH host key?"
      open={!!props.fingerprint}
      onCancel={props.onCancel}
      action={{
        label: 'Trust this key',
        onClick: props.onConfirm,
        disabled: props.busy,
      }}
    >
      <DialogContentText>
        The bastion of <strong>{props.name}</strong> presents the host key{' '}
        <code>{props.fingerprint}</code>. Trust it only if it matches the
        bastion's own (<code>ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub</code>{' '}
        on the bastion): a changed key can mean the connection is intercepted.
        It replaces the pinned keys and is recorded in the audit log.
      </DialogContentText>
    </ActionDialog>
  );
}
