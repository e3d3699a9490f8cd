import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';

/** The "save without verifying" choice (`skipVerification`) of every form that saves a connection. */
export function SkipVerificationField(props: {
  value: boolean;
  onChange(value: boolean): void;
  label?: string;
}) {
  return (
    <FormControlLabel
      control={
        <Checkbox
          checked={props.value}
          onChange={e => props.onChange(e.target.checked)}
        />
      }
      label={props.label ?? 'Save without verifying'}
    />
  );
}
