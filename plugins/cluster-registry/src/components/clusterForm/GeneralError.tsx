import Box from '@material-ui/core/Box';
import { Alert } from '@material-ui/lab';

/** A form's error that no field shows (e.g. `errors._`); nothing when there is none. */
export function GeneralError(props: { message?: string }) {
  if (!props.message) return null;
  return (
    <Box mt={2}>
      <Alert severity="error">{props.message}</Alert>
    </Box>
  );
}
