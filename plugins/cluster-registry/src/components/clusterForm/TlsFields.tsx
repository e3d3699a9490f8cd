import { WarningPanel } from '@backstage/core-components';
import { EndpointForm, errorUnder, FieldErrors } from './formModel';
import { PemField, SkipTlsVerifyField } from './PemField';
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
      <PemField
        id="cluster-caData"
        label="Certificate authority (PEM)"
        minRows={3}
        value={value.caData}
        onChange={caData => props.onChange({ ...value, caData })}
        error={errorUnder(errors, 'tls')}
        hint="The CA that signed the API server's certificate"
      />
      <SkipTlsVerifyField
        label="Skip TLS verification (insecure)"
        checked={value.insecureSkipTlsVerify}
        onChange={insecureSkipTlsVerify =>
          props.onChange({ ...value, insecureSkipTlsVerify })
        }
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
