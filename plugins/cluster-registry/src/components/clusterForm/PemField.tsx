import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import TextField from '@material-ui/core/TextField';

/** A multi-line field for PEM data (a CA, a client certificate). */
export function PemField(props: {
  id: string;
  label: string;
  value: string;
  onChange(value: string): void;
  /** The field's error; shown instead of the hint. */
  error?: string;
  hint?: string;
  minRows?: number;
}) {
  return (
    <TextField
      id={props.id}
      label={props.label}
      multiline
      minRows={props.minRows ?? 2}
      value={props.value}
      onChange={e => props.onChange(e.target.value)}
      error={!!props.error}
      helperText={props.error ?? props.hint}
      fullWidth
      margin="dense"
      variant="outlined"
    />
  );
}

/** The "skip TLS verification" checkbox; what it risks is said next to it. */
export function SkipTlsVerifyField(props: {
  label: string;
  checked: boolean;
  onChange(checked: boolean): void;
}) {
  return (
    <FormControlLabel
      control={
        <Checkbox
          checked={props.checked}
          onChange={e => props.onChange(e.target.checked)}
        />
      }
      label={props.label}
    />
  );
}
