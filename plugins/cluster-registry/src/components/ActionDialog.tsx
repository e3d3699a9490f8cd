import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import { ReactNode } from 'react';

/**
 * The frame every dialog of the plugin shares: a title, the content, Cancel
 * and one action. `width` `md` is for long forms (the content scrolls between
 * dividers), `xs` for short ones; without it the dialog fits its text.
 * A `destructive` action is shown in the secondary colour.
 */
export function ActionDialog(props: {
  id: string;
  title: ReactNode;
  open?: boolean;
  width?: 'xs' | 'md';
  onCancel(): void;
  action: {
    label: string;
    onClick(): void;
    disabled?: boolean;
    destructive?: boolean;
  };
  children: ReactNode;
}) {
  const { action, width } = props;
  const titleId = `${props.id}-title`;
  return (
    <Dialog
      open={props.open ?? true}
      onClose={props.onCancel}
      aria-labelledby={titleId}
      fullWidth={!!width}
      maxWidth={width ?? 'sm'}
    >
      <DialogTitle id={titleId}>{props.title}</DialogTitle>
      <DialogContent dividers={width === 'md'}>{props.children}</DialogContent>
      <DialogActions>
        <Button onClick={props.onCancel}>Cancel</Button>
        <Button
          color={action.destructive ? 'secondary' : 'primary'}
          variant="contained"
          disabled={action.disabled}
          onClick={action.onClick}
        >
          {action.label}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
