import DialogContentText from '@material-ui/core/DialogContentText';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { Category } from '@cluster-registry/plugin-cluster-registry-common';
import { useState } from 'react';
import { ActionDialog } from '../ActionDialog';
import { useBusy } from '../useBusy';

const CLEAR = '__clear__';

/**
 * Deletes a category. If clusters use it, the backend refuses and names them;
 * the dialog then asks where they go: another category, or none.
 */
export function DeleteCategoryDialog(props: {
  category: Category;
  others: Category[];
  onCancel(): void;
  onDelete(options: { reassignTo?: string; clear?: boolean }): Promise<void>;
}) {
  const [blocked, setBlocked] = useState<string>();
  const [error, setError] = useState<string>();
  const [target, setTarget] = useState(CLEAR);
  const [busy, runBusy] = useBusy();

  const confirm = () =>
    runBusy(async () => {
      try {
        if (!blocked) await props.onDelete({});
        else
          await props.onDelete(
            target === CLEAR ? { clear: true } : { reassignTo: target },
          );
      } catch (e: any) {
        // 409: clusters use the category; the reason names them.
        if (
          e?.response?.status === 409 ||
          e?.body?.error?.name === 'ConflictError'
        ) {
          setBlocked(
            String(
              e.body?.error?.fields?.[0]?.reason ??
                e.body?.error?.message ??
                e.message,
            ),
          );
        } else {
          setError(String(e?.message ?? e));
        }
      }
    });

  return (
    <ActionDialog
      id="delete-category"
      title={`Delete category ${props.category.name}?`}
      onCancel={props.onCancel}
      action={{
        label: blocked ? 'Move and delete' : 'Delete',
        onClick: confirm,
        disabled: busy,
        destructive: true,
      }}
    >
      {blocked ? (
        <>
          <DialogContentText role="alert">{blocked}</DialogContentText>
          <TextField
            select
            id="category-reassign"
            label="Move these clusters to"
            value={target}
            onChange={e => setTarget(e.target.value)}
            fullWidth
            margin="dense"
          >
            <MenuItem value={CLEAR}>No category</MenuItem>
            {props.others.map(c => (
              <MenuItem key={c.name} value={c.name}>
                {c.name}
              </MenuItem>
            ))}
          </TextField>
        </>
      ) : (
        <DialogContentText>
          Clusters are not touched; the category is removed from the list.
        </DialogContentText>
      )}
      {error && <DialogContentText color="error">{error}</DialogContentText>}
    </ActionDialog>
  );
}
