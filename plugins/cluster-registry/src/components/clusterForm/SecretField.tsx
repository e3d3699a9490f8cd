import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';

/**
 * A write-only secret input. When a value is stored it is never shown: the
 * field reads "set" with a Replace button; an empty input keeps the stored value.
 */
export function SecretField(props: {
  id: string;
  label: string;
  value: string;
  onChange(value: string): void;
  /** Whether a value is stored (editing an existing cluster). */
  stored?: boolean;
  multiline?: boolean;
  error?: string;
  helperText?: string;
}) {
  const [replacing, setReplacing] = useState(!props.stored);
  if (!replacing) {
    return (
      <Box display="flex" alignItems="center" my={1} style={{ gap: 12 }}>
        <Typography variant="body2" id={`${props.id}-state`}>
          {props.label}: set
        </Typography>
        <Button
          size="small"
          aria-describedby={`${props.id}-state`}
          onClick={() => setReplacing(true)}
        >
          Replace
        </Button>
      </Box>
    );
  }
  return (
    <Box display="flex" alignItems="flex-start" style={{ gap: 8 }}>
      <TextField
        id={props.id}
        label={props.label}
        value={props.value}
        onChange={e => props.onChange(e.target.value)}
        type={props.multiline ? 'text' : 'password'}
        autoComplete="off"
        multiline={props.multiline}
        minRows={props.multiline ? 3 : undefined}
        error={!!props.error}
        helperText={
          props.error ??
          (props.stored
            ? 'Leave empty to keep the stored value'
            : props.helperText)
        }
        fullWidth
        margin="dense"
        variant="outlined"
      />
      {props.stored && (
        <Button
          size="small"
          style={{ marginTop: 16 }}
          onClick={() => {
            props.onChange('');
            setReplacing(false);
          }}
        >
          Keep stored
        </Button>
      )}
    </Box>
  );
}
