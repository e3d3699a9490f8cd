import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { Alert } from '@material-ui/lab';
import { useApi } from '@backstage/core-plugin-api';
import { clusterPrometheusSchema } from '@cluster-registry/plugin-cluster-registry-common';
import { useState } from 'react';
import { clusterRegistryApiRef } from '../../api';
import { useBusy } from '../useBusy';
import {
  errorsFromIssues,
  errorsFromResponse,
  errorUnder,
  FieldErrors,
  prometheusRequest,
  PrometheusForm,
} from './formModel';
import { SecretField } from './SecretField';
import { PemField, SkipTlsVerifyField } from './PemField';
import { Section } from './Section';

/** Optional Prometheus endpoint, with a "Test connection" that runs a real query. */
export function PrometheusFields(props: {
  value: PrometheusForm;
  onChange(value: PrometheusForm): void;
  errors: FieldErrors;
  /** Editing a cluster: its name (to test with stored secrets) and what is stored. */
  cluster?: string;
  stored?: { password: boolean; clientKey: boolean };
}) {
  const api = useApi(clusterRegistryApiRef);
  const { value } = props;
  const [busy, runBusy] = useBusy();
  const [tested, setTested] = useState<{ ok: boolean; text: string }>();
  const [localErrors, setLocalErrors] = useState<FieldErrors>({});
  const errors = { ...props.errors, ...localErrors };
  const set = (changes: Partial<PrometheusForm>) => {
    setTested(undefined);
    setLocalErrors({});
    props.onChange({ ...value, ...changes });
  };
  const err = (field: string) => errorUnder(errors, `prometheus.${field}`);
  const text = (
    key: 'url' | 'username',
    label: string,
    field: string,
    extra: object = {},
  ) => (
    <TextField
      id={`prometheus-${key}`}
      label={label}
      value={value[key]}
      onChange={e => set({ [key]: e.target.value })}
      error={!!err(field)}
      helperText={err(field)}
      fullWidth
      margin="dense"
      variant="outlined"
      {...extra}
    />
  );

  const test = async () => {
    const settings = prometheusRequest(value);
    // Unchanged secrets of a stored cluster: test what is stored.
    const usesStored =
      props.cluster &&
      value.authType === 'basic' &&
      !value.password &&
      props.stored?.password;
    let result;
    try {
      if (usesStored) {
        result = await runBusy(() =>
          api.testPrometheus({ cluster: props.cluster! }),
        );
      } else {
        const parsed = clusterPrometheusSchema.safeParse(settings);
        if (!parsed.success) {
          setLocalErrors(
            Object.fromEntries(
              Object.entries(errorsFromIssues(parsed.error.issues)).map(
                ([k, v]) => [`prometheus.${k}`, v],
              ),
            ),
          );
          return;
        }
        const checked = parsed.data;
        result = await runBusy(() => api.testPrometheus({ settings: checked }));
      }
    } catch (e) {
      const fieldErrors = errorsFromResponse(e);
      setLocalErrors(
        Object.fromEntries(
          Object.entries(fieldErrors).map(([k, v]) => [
            k === '_' || k.startsWith('prometheus') ? k : `prometheus.${k}`,
            v,
          ]),
        ),
      );
      return;
    }
    setTested(
      result.ok
        ? {
            ok: true,
            text: `Prometheus ${result.version ?? ''} answered: ${
              result.seriesCount
            } series for "up"`,
          }
        : { ok: false, text: result.message ?? 'the test failed' },
    );
  };

  return (
    <Section
      title="Prometheus"
      description="Optional: where the cluster's metrics can be queried."
    >
      <FormControlLabel
        control={
          <Checkbox
            checked={value.enabled}
            onChange={e => set({ enabled: e.target.checked })}
          />
        }
        label="This cluster has a Prometheus endpoint"
      />
      {value.enabled && (
        <>
          {text('url', 'Prometheus URL', 'url', {
            required: true,
            placeholder: 'https://prometheus.example:9090',
          })}
          <TextField
            id="prometheus-authType"
            select
            label="Prometheus authentication"
            value={value.authType}
            onChange={e =>
              set({ authType: e.target.value as PrometheusForm['authType'] })
            }
            fullWidth
            margin="dense"
            variant="outlined"
          >
            <MenuItem value="anonymous">Anonymous</MenuItem>
            <MenuItem value="basic">Basic</MenuItem>
          </TextField>
          {value.authType === 'basic' && (
            <>
              {text('username', 'Prometheus user', 'auth.username')}
              <SecretField
                id="prometheus-password"
                label="Prometheus password"
                value={value.password}
                onChange={password => set({ password })}
                stored={props.stored?.password}
                error={err('auth.password')}
              />
            </>
          )}
          <PemField
            id="prometheus-caData"
            label="Prometheus CA (PEM)"
            value={value.caData}
            onChange={caData => set({ caData })}
            error={err('tls.caData')}
          />
          <SkipTlsVerifyField
            label="Skip Prometheus TLS verification (insecure)"
            checked={value.insecureSkipTlsVerify}
            onChange={insecureSkipTlsVerify => set({ insecureSkipTlsVerify })}
          />
          <PemField
            id="prometheus-clientCertData"
            label="Prometheus client certificate (PEM)"
            value={value.clientCertData}
            onChange={clientCertData => set({ clientCertData })}
            error={err('tls.clientCertData') ?? err('tls')}
          />
          <SecretField
            id="prometheus-clientKeyData"
            label="Prometheus client key (PEM)"
            multiline
            value={value.clientKeyData}
            onChange={clientKeyData => set({ clientKeyData })}
            stored={props.stored?.clientKey}
            error={err('tls.clientKeyData')}
          />
          <FormControlLabel
            control={
              <Checkbox
                checked={value.throughClusterConnection}
                onChange={e =>
                  set({ throughClusterConnection: e.target.checked })
                }
              />
            }
            label="Reach Prometheus through the cluster's proxy or SSH tunnel (a Prometheus in its private network)"
          />
          {err('throughClusterConnection') && (
            <Typography variant="body2" color="error">
              {err('throughClusterConnection')}
            </Typography>
          )}
          <Box display="flex" alignItems="center" mt={1} style={{ gap: 12 }}>
            <Button variant="outlined" disabled={busy} onClick={test}>
              Test connection
            </Button>
          </Box>
          {(tested || localErrors._) && (
            <Box mt={1} role="status">
              <Alert severity={tested?.ok ? 'success' : 'error'}>
                {tested?.text ?? localErrors._}
              </Alert>
            </Box>
          )}
        </>
      )}
    </Section>
  );
}
