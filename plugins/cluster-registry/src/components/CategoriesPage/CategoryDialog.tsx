import TextField from '@material-ui/core/TextField';
import {
  Category,
  categorySchema,
} from '@cluster-registry/plugin-cluster-registry-common';
import { useState } from 'react';
import { ActionDialog } from '../ActionDialog';
import { useBusy } from '../useBusy';

/** Add a category (name, description, colour) or edit one (description, colour). */
export function CategoryDialog(props: {
  category?: Category;
  onCancel(): void;
  onSave(category: Category): Promise<void>;
}) {
  const editing = !!props.category;
  const [name, setName] = useState(props.category?.name ?? '');
  const [description, setDescription] = useState(
    props.category?.description ?? '',
  );
  const [color, setColor] = useState(props.category?.color ?? '#1e88e5');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, runBusy] = useBusy();

  const save = async () => {
    // The same rules the backend enforces, shown next to the field.
    const parsed = categorySchema.safeParse({
      name,
      description: description || undefined,
      color,
    });
    if (!parsed.success) {
      const firstPerField: Record<string, string> = {};
      for (const i of parsed.error.issues)
        firstPerField[String(i.path[0])] ??= i.message;
      setErrors(firstPerField);
      return;
    }
    await runBusy(() => props.onSave(parsed.data)).catch(e => {
      // The backend's message starts with the field it concerns.
      const message = String((e as Error).message);
      setErrors({ [/^(\w+):/.exec(message)?.[1] ?? 'name']: message });
    });
  };

  return (
    <ActionDialog
      id="category-dialog"
      title={editing ? `Edit ${props.category!.name}` : 'Add category'}
      width="xs"
      onCancel={props.onCancel}
      action={{
        label: 'Save',
        onClick: save,
        disabled: busy,
      }}
    >
      <TextField
        id="category-name"
        label="Name"
        value={name}
        disabled={editing}
        onChange={e => setName(e.target.value)}
        error={!!errors.name}
        helperText={
          errors.name ??
          'Lowercase letters, digits and "-"; at least 2 characters'
        }
        fullWidth
        margin="dense"
      />
      <TextField
        id="category-description"
        label="Description"
        value={description}
        onChange={e => setDescription(e.target.value)}
        error={!!errors.description}
        helperText={errors.description}
        fullWidth
        margin="dense"
      />
      <TextField
        id="category-color"
        label="Colour"
        type="color"
        value={color}
        onChange={e => setColor(e.target.value)}
        error={!!errors.color}
        helperText={errors.color}
        fullWidth
        margin="dense"
      />
    </ActionDialog>
  );
}
