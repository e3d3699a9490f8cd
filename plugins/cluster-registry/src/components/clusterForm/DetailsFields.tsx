import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { Category } from '@cluster-registry/plugin-cluster-registry-common';
import { DetailsForm, errorUnder, FieldErrors } from './formModel';

/** Name, display name, description, category, owner and labels. */
export function DetailsFields(props: {
  value: DetailsForm;
  onChange(value: DetailsForm): void;
  categories: Category[];
  errors: FieldErrors;
  /** Names are immutable: shown but not editable when editing. */
  nameLocked?: boolean;
  /** Only the category and owner (applied to every imported context). */
  sharedOnly?: boolean;
}) {
  const { value } = props;
  const errors: Partial<Record<keyof DetailsForm, string>> = {};
  for (const key of Object.keys(value) as (keyof DetailsForm)[])
    errors[key] = errorUnder(props.errors, key);
  const field = (key: keyof DetailsForm) => ({
    id: `cluster-${key}`,
    value: value[key],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) =>
      props.onChange({ ...value, [key]: e.target.value }),
    error: !!errors[key],
    fullWidth: true,
    margin: 'dense' as const,
    variant: 'outlined' as const,
  });
  return (
    <>
      {!props.sharedOnly && (
        <>
          <TextField
            {...field('name')}
            label="Name"
            required
            disabled={props.nameLocked}
            helperText={
              errors.name ??
              (props.nameLocked
                ? 'Names cannot change; register a new cluster to use another'
                : 'Lowercase letters, digits and "-"; cannot change later')
            }
          />
          <TextField
            {...field('title')}
            label="Display name"
            helperText={errors.title ?? 'Defaults to the name'}
          />
          <TextField
            {...field('description')}
            label="Description"
            multiline
            helperText={errors.description}
          />
        </>
      )}
      <TextField
        {...field('category')}
        select
        label="Category"
        helperText={errors.category}
      >
        <MenuItem value="">
          <em>none</em>
        </MenuItem>
        {props.categories.map(c => (
          <MenuItem key={c.name} value={c.name}>
            {c.name}
          </MenuItem>
        ))}
      </TextField>
      <TextField
        {...field('owner')}
        label="Owner"
        placeholder="group:default/platform"
        helperText={errors.owner ?? 'A catalog group or user reference'}
      />
      {!props.sharedOnly && (
        <TextField
          {...field('labels')}
          label="Labels"
          placeholder="region=eu, tier=gold"
          helperText={errors.labels ?? 'key=value pairs separated by commas'}
        />
      )}
    </>
  );
}
