import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { EndpointForm, errorFor, FieldErrors } from './formModel';
import { SecretField } from './SecretField';
import { TlsFields } from './TlsFields';

/** Server URL, credentials (token or client certificate) and TLS. */
export function EndpointFields(props: {
  value: EndpointForm;
  onChange(value: EndpointForm): void;
  errors: FieldErrors;
}) {
  const { value, errors } = props;
  const set = (changes: Partial<EndpointForm>) =>
    props.onChange({ ...value, ...changes });
  return (
    <>
      <TextField
        id="cluster-serverUrl"
        label="Server URL"
        required
        placeholder="https://10.0.0.1:6443"
        value={value.serverUrl}
        onChange={e => set({ serverUrl: e.target.value })}
        error={!!errors.serverUrl}
        helperText={errors.serverUrl ?? "The API server's https:// address"}
        fullWidth
        margin="dense"
        variant="outlined"
      />
      <TextField
        id="cluster-authType"
        select
        label="Authentication"
        value={value.authType}
        onChange={e =>
          set({ authType: e.target.value as EndpointForm['authType'] })
        }
        fullWidth
        margin="dense"
        variant="outlined"
      >
        <MenuItem value="bearerToken">Bearer token</MenuItem>
        <MenuItem value="clientCertificate">Client certificate</MenuItem>
      </TextField>
      {value.authType === 'bearerToken' ? (
        <SecretField
          id="cluster-token"
          label="Bearer token"
          value={value.token}
          onChange={token => set({ token })}
          error={errorFor(errors, 'auth.token', 'auth')}
          helperText="A ServiceAccount token; at least the view ClusterRole"
        />
      ) : (
        <>
          <TextField
            id="cluster-certData"
            label="Client certificate (PEM)"
            multiline
            minRows={3}
            value={value.certData}
            onChange={e => set({ certData: e.target.value })}
            error={!!errorFor(errors, 'auth.certData', 'auth')}
            helperText={errorFor(errors, 'auth.certData', 'auth')}
            fullWidth
            margin="dense"
            variant="outlined"
          />
          <SecretField
            id="cluster-keyData"
            label="Client key (PEM)"
            multiline
            value={value.keyData}
            onChange={keyData => set({ keyData })}
            error={errors['auth.keyData']}
          />
        </>
      )}
      <TlsFields value={value} onChange={tls => set(tls)} errors={errors} />
    </>
  );
}
