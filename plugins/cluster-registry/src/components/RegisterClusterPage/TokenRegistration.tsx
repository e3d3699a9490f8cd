import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import {
  CreateClusterRequest,
  createClusterSchema,
  UnsavedVerification,
} from '@cluster-registry/plugin-cluster-registry-common';
import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { clusterRegistryApiRef } from '../../api';
import { clusterRouteRef } from '../../routes';
import {
  ConnectionFields,
  ConnectionForm,
  DetailsFields,
  emptyConnection,
  emptyDetails,
  emptyEndpoint,
  emptyPrometheus,
  EndpointFields,
  endpointRegistration,
  FieldErrors,
  PrometheusFields,
  Section,
  submitChecked,
  VerificationPanel,
  SkipVerificationField,
  GeneralError,
  clearingOnChange,
  emptyServiceAccount,
  ServiceAccountFields,
  serviceAccountRequest,
} from '../clusterForm';
import { useBusy } from '../useBusy';
import { useCategories } from './useCategories';

const DETAIL_KEYS = [
  'name',
  'title',
  'description',
  'category',
  'owner',
  'labels',
];

/** What a link may say of the connection (`connectionMethod` picks the method): no secret. */
const CONNECTION_KEYS = [
  'proxyUrl',
  'proxyUsername',
  'sshHost',
  'sshPort',
  'sshUsername',
  'sshHostKeys',
];

/** The form with the named string fields taken from the URL's query, where given. */
function prefill<T extends object>(
  form: T,
  params: URLSearchParams,
  keys: string[] = DETAIL_KEYS,
): T {
  const values = Object.fromEntries(
    keys
      .filter(k => k in form && params.get(k) !== null)
      .map(k => [k, params.get(k)!.slice(0, 4096)]),
  );
  return { ...form, ...values };
}

/** Register by server URL and bearer token (or client certificate). */
export function TokenRegistration() {
  const api = useApi(clusterRegistryApiRef);
  const navigate = useNavigate();
  const clusterLink = useRouteRef(clusterRouteRef);
  const categories = useCategories();
  // A link may prefill what is not secret (the MCP register-cluster action
  // hands one back, so that a person, not an agent, enters the credential).
  const [params] = useSearchParams();
  const [details, setDetails] = useState(() => prefill(emptyDetails, params));
  const [endpoint, setEndpoint] = useState(() =>
    prefill(emptyEndpoint, params, ['serverUrl', 'caData']),
  );
  const [connection, setConnection] = useState<ConnectionForm>(() => {
    const method = params.get('connectionMethod');
    return method === 'proxy' || method === 'sshTunnel'
      ? { ...prefill(emptyConnection, params, CONNECTION_KEYS), method }
      : emptyConnection;
  });
  const [prometheus, setPrometheus] = useState(emptyPrometheus);
  const [serviceAccount, setServiceAccount] = useState(emptyServiceAccount);
  const [skipVerification, setSkipVerification] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [verification, setVerification] = useState<UnsavedVerification>();
  const [busy, runBusy] = useBusy();

  const changed = clearingOnChange(() => {
    setErrors({});
    setVerification(undefined);
  });

  /**
   * The connection to register: a bastion key that "Verify" showed (and the
   * admin saw) is sent as the pin, so the registration cannot pin another
   * key presented in between. Any edit of the form clears the verification.
   */
  const reviewedConnection = () => {
    const seen = verification?.ok ? verification.sshHostKey : undefined;
    return seen &&
      !seen.pinned &&
      connection.method === 'sshTunnel' &&
      !connection.sshHostKeys.trim()
      ? { ...connection, sshHostKeys: seen.fingerprint }
      : connection;
  };

  /** Checked with the backend's own rules, then sent; errors go next to fields. */
  const submit = <R,>(
    forVerify: boolean,
    send: (body: CreateClusterRequest) => Promise<R>,
  ) =>
    submitChecked({
      build: () => ({
        ...endpointRegistration(
          forVerify ? { ...details, name: details.name || 'unsaved' } : details,
          endpoint,
          forVerify ? connection : reviewedConnection(),
          prometheus,
          skipVerification,
        ),
        serviceAccount: serviceAccountRequest(serviceAccount),
      }),
      rules: createClusterSchema,
      send: body => runBusy(() => send(body)),
      setErrors,
    });

  const verify = async () => {
    const result = await submit(true, body => api.verifyCluster(body));
    if (!result) return;
    setVerification(result);
    if (!result.ok && result.field)
      setErrors({ [result.field]: result.message ?? 'verification failed' });
  };

  const save = async () => {
    const cluster = await submit(false, body =>
      api.createCluster(body).catch(e => {
        setVerification(undefined);
        throw e;
      }),
    );
    if (cluster) navigate(clusterLink({ name: cluster.name }));
  };

  return (
    <Box maxWidth={720}>
      <DetailsFields
        value={details}
        onChange={changed(setDetails)}
        categories={categories}
        errors={errors}
      />
      <Section title="API server">
        <EndpointFields
          value={endpoint}
          onChange={changed(setEndpoint)}
          errors={errors}
        />
      </Section>
      <ConnectionFields
        value={connection}
        onChange={changed(setConnection)}
        errors={errors}
      />
      <ServiceAccountFields
        value={serviceAccount}
        onChange={changed(setServiceAccount)}
        errors={errors}
      />
      <PrometheusFields
        value={prometheus}
        onChange={changed(setPrometheus)}
        errors={errors}
      />
      <Box mt={3}>
        <SkipVerificationField
          value={skipVerification}
          onChange={setSkipVerification}
          label="Save without verifying (the cluster stays pending until the next health check)"
        />
      </Box>
      <VerificationPanel result={verification} />
      <GeneralError message={errors._} />
      <Box display="flex" mt={2} style={{ gap: 12 }}>
        <Button variant="outlined" disabled={busy} onClick={verify}>
          Verify
        </Button>
        <Button
          variant="contained"
          color="primary"
          disabled={busy}
          onClick={save}
        >
          Register
        </Button>
      </Box>
    </Box>
  );
}
