import { useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  Cluster,
  KubeconfigInspection,
  RotateCredentialsRequest,
  rotateCredentialsSchema,
} from '@cluster-registry/plugin-cluster-registry-common';
import { useState } from 'react';
import { ActionDialog } from '../ActionDialog';
import { clusterRegistryApiRef } from '../../api';
import {
  authRequest,
  emptyEndpoint,
  endpointAuthFromCluster,
  EndpointFields,
  errorsFromResponse,
  FieldErrors,
  submitChecked,
  tlsRequest,
  SkipVerificationField,
  GeneralError,
} from '../clusterForm';
import { useBusy } from '../useBusy';

/**
 * Replace a cluster's credentials: a new token or client certificate (and, if
 * it moved, server URL and CA), or a whole kubeconfig context. Verified like a
 * registration unless skipped.
 */
export function RotateCredentialsDialog(props: {
  cluster: Cluster;
  onCancel(): void;
  onSaved(cluster: Cluster): void;
}) {
  const c = props.cluster;
  const api = useApi(clusterRegistryApiRef);
  const [method, setMethod] = useState<'credentials' | 'kubeconfig'>(
    'credentials',
  );
  const [endpoint, setEndpoint] = useState(() => ({
    ...emptyEndpoint,
    serverUrl: c.serverUrl ?? '',
    ...endpointAuthFromCluster(c.auth),
    caData: c.tls.caData ? atob(c.tls.caData) : '',
    insecureSkipTlsVerify: c.tls.insecureSkipTlsVerify,
  }));
  const [kubeconfig, setKubeconfig] = useState('');
  const [contexts, setContexts] = useState<KubeconfigInspection>();
  const [context, setContext] = useState('');
  const [skipVerification, setSkipVerification] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, runBusy] = useBusy();

  // Errors no field of the current tab shows (a kubeconfig's TLS or server).
  const shownByFields =
    method === 'kubeconfig'
      ? ['kubeconfig', 'context', 'auth']
      : Object.keys(errors).filter(k => k !== '_');
  const unshown = Object.entries(errors)
    .filter(([k]) => !shownByFields.includes(k))
    .map(([, v]) => v)
    .join('; ');

  const readContexts = async () => {
    try {
      const found = await runBusy(() => api.inspectKubeconfig(kubeconfig));
      setContexts(found);
      setContext(
        found.contexts.find(x => x.context === found.currentContext)?.context ??
          found.contexts[0]?.context ??
          '',
      );
      setErrors({});
    } catch (e) {
      setErrors(errorsFromResponse(e));
    }
  };

  const save = async () => {
    const body: RotateCredentialsRequest =
      method === 'kubeconfig'
        ? { kubeconfig, context, skipVerification }
        : {
            serverUrl:
              endpoint.serverUrl.trim() === c.serverUrl
                ? undefined
                : endpoint.serverUrl.trim(),
            auth: authRequest(endpoint),
            tls: tlsRequest(endpoint),
            skipVerification,
          };
    const rotated = await submitChecked({
      build: () => body,
      rules: rotateCredentialsSchema,
      send: checked => runBusy(() => api.rotateCredentials(c.name, checked)),
      setErrors,
    });
    if (rotated) props.onSaved(rotated);
  };

  return (
    <ActionDialog
      id="rotate"
      title={`Rotate credentials of ${c.name}`}
      width="md"
      onCancel={props.onCancel}
      action={{
        label: 'Rotate',
        onClick: save,
        disabled: busy || (method === 'kubeconfig' && !context),
      }}
    >
      <Typography variant="body2" color="textSecondary">
        The new credentials are verified before they replace the stored ones;
        the stored ones are never shown.
      </Typography>
      <Tabs
        value={method}
        onChange={(_e, value) => {
          setMethod(value);
          setErrors({});
        }}
        indicatorColor="primary"
        aria-label="Rotate with"
      >
        <Tab value="credentials" label="Token or certificate" />
        <Tab value="kubeconfig" label="Kubeconfig" />
      </Tabs>
      {method === 'credentials' ? (
        <EndpointFields
          value={endpoint}
          onChange={value => {
            setEndpoint(value);
            setErrors({});
          }}
          errors={errors}
        />
      ) : (
        <>
          <TextField
            id="rotate-kubeconfig"
            label="Kubeconfig"
            multiline
            minRows={5}
            value={kubeconfig}
            onChange={e => {
              setKubeconfig(e.target.value);
              setContexts(undefined);
            }}
            error={!!errors.kubeconfig}
            helperText={errors.kubeconfig}
            fullWidth
            margin="dense"
            variant="outlined"
            InputProps={{ style: { fontFamily: 'monospace' } }}
          />
          <Button
            variant="outlined"
            disabled={busy || !kubeconfig.trim()}
            onClick={readContexts}
          >
            Read contexts
          </Button>
          {contexts && (
            <TextField
              id="rotate-context"
              select
              label="Context"
              value={context}
              onChange={e => setContext(e.target.value)}
              error={!!(errors.context ?? errors.auth)}
              helperText={errors.context ?? errors.auth}
              fullWidth
              margin="dense"
              variant="outlined"
            >
              {contexts.contexts.map(x => (
                <MenuItem
                  key={x.context}
                  value={x.context}
                  disabled={!x.usable}
                >
                  {x.context} — {x.serverUrl}
                  {x.usable ? '' : ` (${x.reason})`}
                </MenuItem>
              ))}
            </TextField>
          )}
        </>
      )}
      <SkipVerificationField
        value={skipVerification}
        onChange={setSkipVerification}
      />
      <GeneralError message={unshown} />
    </ActionDialog>
  );
}
