import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { ConnectionForm, errorFor, FieldErrors } from './formModel';
import { SecretField } from './SecretField';
import { Section } from './Section';

/** Direct, through an HTTP proxy, or through an SSH tunnel. */
export function ConnectionFields(props: {
  value: ConnectionForm;
  onChange(value: ConnectionForm): void;
  errors: FieldErrors;
  /** Which SSH secrets are stored (editing). */
  stored?: { sshPassword: boolean; sshPrivateKey: boolean };
}) {
  const { value, errors } = props;
  const set = (changes: Partial<ConnectionForm>) =>
    props.onChange({ ...value, ...changes });
  const text = (
    key: 'proxyUrl' | 'sshHost' | 'sshPort' | 'sshUsername',
    label: string,
    path: string,
  ) => (
    <TextField
      id={`cluster-${key}`}
      label={label}
      required
      value={value[key]}
      onChange={e => set({ [key]: e.target.value })}
      error={!!errorFor(errors, path, 'connection.sshTunnel', 'connection')}
      helperText={errorFor(errors, path, 'connection.sshTunnel', 'connection')}
      fullWidth
      margin="dense"
      variant="outlined"
      type={key === 'sshPort' ? 'number' : 'text'}
    />
  );
  return (
    <Section title="Connection">
      <TextField
        id="cluster-connection"
        select
        label="Connection method"
        value={value.method}
        onChange={e =>
          set({ method: e.target.value as ConnectionForm['method'] })
        }
        error={value.method === 'direct' && !!errors.connection}
        helperText={value.method === 'direct' ? errors.connection : undefined}
        fullWidth
        margin="dense"
        variant="outlined"
      >
        <MenuItem value="direct">Direct</MenuItem>
        <MenuItem value="proxy">Via HTTP proxy</MenuItem>
        <MenuItem value="sshTunnel">Via SSH tunnel</MenuItem>
      </TextField>
      {value.method !== 'direct' && (
        <Typography variant="body2" color="textSecondary">
          The portal stores these settings but does not connect through them
          yet: save without verification.
        </Typography>
      )}
      {value.method === 'proxy' &&
        text('proxyUrl', 'Proxy URL', 'connection.proxyUrl')}
      {value.method === 'sshTunnel' && (
        <>
          {text('sshHost', 'SSH host', 'connection.sshTunnel.host')}
          {text('sshPort', 'SSH port', 'connection.sshTunnel.port')}
          {text('sshUsername', 'SSH user', 'connection.sshTunnel.username')}
          <SecretField
            id="cluster-sshPassword"
            label="SSH password"
            value={value.sshPassword}
            onChange={sshPassword => set({ sshPassword })}
            stored={props.stored?.sshPassword}
            error={errors['connection.sshTunnel.password']}
            helperText="A password, a private key, or both"
          />
          <SecretField
            id="cluster-sshPrivateKey"
            label="SSH private key"
            multiline
            value={value.sshPrivateKey}
            onChange={sshPrivateKey => set({ sshPrivateKey })}
            stored={props.stored?.sshPrivateKey}
            error={errors['connection.sshTunnel.privateKey']}
          />
        </>
      )}
    </Section>
  );
}
