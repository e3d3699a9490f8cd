import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { ConnectionForm, errorFor, errorUnder, FieldErrors } from './formModel';
import { SecretField } from './SecretField';
import { Section } from './Section';

/** Direct, through an HTTP proxy, or through an SSH tunnel. */
export function ConnectionFields(props: {
  value: ConnectionForm;
  onChange(value: ConnectionForm): void;
  errors: FieldErrors;
  /** Which connection secrets are stored (editing). */
  stored?: {
    sshPassword: boolean;
    sshPrivateKey: boolean;
    sshPassphrase: boolean;
    proxyPassword: boolean;
  };
}) {
  const { value, errors } = props;
  const set = (changes: Partial<ConnectionForm>) =>
    props.onChange({ ...value, ...changes });
  const text = (
    key: 'proxyUrl' | 'proxyUsername' | 'sshHost' | 'sshPort' | 'sshUsername',
    label: string,
    path: string,
    options: { required?: boolean; helperText?: string } = {},
  ) => (
    <TextField
      id={`cluster-${key}`}
      label={label}
      required={options.required ?? true}
      value={value[key]}
      onChange={e => set({ [key]: e.target.value })}
      error={!!errorFor(errors, path, 'connection.sshTunnel', 'connection')}
      helperText={
        errorFor(errors, path, 'connection.sshTunnel', 'connection') ??
        options.helperText
      }
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
          Verification, health checks and the Kubernetes plugin connect through
          it; TLS stays verified end to end with the API server.
        </Typography>
      )}
      {value.method === 'proxy' && (
        <>
          {text('proxyUrl', 'Proxy URL', 'connection.proxyUrl', {
            helperText: 'An HTTP CONNECT proxy, http:// or https://',
          })}
          {text('proxyUsername', 'Proxy user', 'connection.username', {
            required: false,
            helperText: 'Only if the proxy asks for credentials',
          })}
          <SecretField
            id="cluster-proxyPassword"
            label="Proxy password"
            value={value.proxyPassword}
            onChange={proxyPassword => set({ proxyPassword })}
            stored={props.stored?.proxyPassword}
            error={errors['connection.password']}
          />
        </>
      )}
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
            helperText="OpenSSH or PEM private key"
          />
          <SecretField
            id="cluster-sshPassphrase"
            label="Key passphrase"
            value={value.sshPassphrase}
            onChange={sshPassphrase => set({ sshPassphrase })}
            stored={props.stored?.sshPassphrase}
            error={errors['connection.sshTunnel.passphrase']}
            helperText="Only for an encrypted private key"
          />
          <TextField
            id="cluster-sshHostKeys"
            label="Trusted host keys"
            multiline
            minRows={2}
            value={value.sshHostKeys}
            onChange={e => set({ sshHostKeys: e.target.value })}
            error={!!errorUnder(errors, 'connection.sshTunnel.hostKeys')}
            helperText={
              errorUnder(errors, 'connection.sshTunnel.hostKeys') ??
              'One per line: SHA256: fingerprints, public-key or known_hosts lines. Leave empty to pin the key the bastion presents when it is verified.'
            }
            fullWidth
            margin="dense"
            variant="outlined"
          />
        </>
      )}
    </Section>
  );
}
