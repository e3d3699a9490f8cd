import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import TextField from '@material-ui/core/TextField';
import { WarningPanel } from '@backstage/core-components';
import { EndpointForm, errorUnder, FieldErrors } from './formModel';
import { Section } from './Section';

export type TlsForm = Pick<EndpointForm, 'caData' | 'insecureSkipTlsVerify'>;

/** CA data and insecure-skip-verify of the connection to the API server. */
export function TlsFields(props: {
  value: TlsForm;
  onChange(value: TlsForm): void;
  errors: FieldErrors;
}) {
  const { value, errors } = props;
  return (
    <Section title="TLS">
      <TextField
        id="cluster-caData"
        label="Certificate authority (PEM)"
        multiline
        minRows={3}
        value={value.caData}
        onChange={e => props.onChange({ ...value, caData: e.target.value })}
        error={!!errorUnder(errors, 'tls')}
        helperText={
          errorUnder(errors, 'tls') ??
          "The CA that signed the API server's certificate"
        }
        fullWidth
        margin="dense"
        variant="outlined"
      />
      <FormControlLabel
        control={
          <Checkbox
            checked={value.insecureSkipTlsVerify}
            onChange={e =>
              props.onChange({
                ...value,
                insecureSkipTlsVerify: e.target.checked,
              })
            }
          />
        }
        label="Skip TLS verification (insecure)"
      />
      {value.insecureSkipTlsVerify && (
        <WarningPanel title="The API server's certificate will not be checked">
          Anyone between the portal and the cluster could read the credentials.
          Give the CA instead.
        </WarningPanel>
      )}
    </Section>
  );
}
