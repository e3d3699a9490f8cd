import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  Cluster,
  clusterConnectionUpdatePermission,
  updateClusterSchema,
} from '@cluster-registry/plugin-cluster-registry-common';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { ActionDialog } from '../ActionDialog';
import { clusterRegistryApiRef } from '../../api';
import {
  clusterUpdate,
  ConnectionFields,
  DetailsFields,
  FieldErrors,
  formsFromCluster,
  PrometheusFields,
  submitChecked,
  TlsFields,
  SkipVerificationField,
  GeneralError,
  clearingOnChange,
} from '../clusterForm';
import { useCategories } from '../RegisterClusterPage/useCategories';
import { useBusy } from '../useBusy';

/** Edit display name, description, category, labels, owner, TLS, connection and Prometheus. */
export function EditClusterDialog(props: {
  cluster: Cluster;
  onCancel(): void;
  onSaved(cluster: Cluster): void;
}) {
  const c = props.cluster;
  const api = useApi(clusterRegistryApiRef);
  const categories = useCategories();
  const [initial] = useState(() => formsFromCluster(c));
  const [details, setDetails] = useState(initial.details);
  const [tls, setTls] = useState(initial.tls);
  const [connection, setConnection] = useState(initial.connection);
  const [prometheus, setPrometheus] = useState(initial.prometheus);
  const [skipVerification, setSkipVerification] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, runBusy] = useBusy();
  const changed = clearingOnChange(() => setErrors({}));
  const ssh =
    c.connection.method === 'sshTunnel' ? c.connection.sshTunnel : undefined;
  const prom = c.prometheus;
  // TLS trust and connection decide where the stored credential goes.
  const mayRoute = usePermission({
    permission: clusterConnectionUpdatePermission,
    resourceRef: c.name,
  });

  const save = async () => {
    const saved = await submitChecked({
      build: () =>
        clusterUpdate(
          c,
          details,
          tls,
          connection,
          prometheus,
          skipVerification,
        ),
      rules: updateClusterSchema,
      send: body => runBusy(() => api.updateCluster(c.name, body)),
      setErrors,
    });
    if (saved) props.onSaved(saved);
  };

  return (
    <ActionDialog
      id="edit-cluster"
      title={`Edit ${c.name}`}
      width="md"
      onCancel={props.onCancel}
      action={{
        label: 'Save',
        onClick: save,
        disabled: busy,
      }}
    >
      <DetailsFields
        nameLocked
        value={details}
        onChange={changed(setDetails)}
        categories={categories}
        errors={errors}
      />
      {!c.isolated && (
        <>
          {mayRoute.allowed ? (
            <>
              <TlsFields
                value={tls}
                onChange={changed(setTls)}
                errors={errors}
              />
              <ConnectionFields
                value={connection}
                onChange={changed(setConnection)}
                errors={errors}
                stored={{
                  sshPassword: !!ssh?.passwordSet,
                  sshPrivateKey: !!ssh?.privateKeySet,
                  sshPassphrase: !!ssh?.passphraseSet,
                  proxyPassword:
                    c.connection.method === 'proxy' && c.connection.passwordSet,
                }}
              />
            </>
          ) : (
            !mayRoute.loading && (
              <Typography variant="body2" color="textSecondary" paragraph>
                TLS and connection settings decide where this cluster&apos;s
                stored credential is sent, and you may not change them: ask an
                admin, or replace the credentials with your own (Rotate
                credentials), which may change the CA too.
              </Typography>
            )
          )}
          <PrometheusFields
            value={prometheus}
            onChange={changed(setPrometheus)}
            errors={errors}
            cluster={c.name}
            stored={{
              password: prom?.auth.type === 'basic' && prom.auth.passwordSet,
              clientKey: !!prom?.tls?.clientKeySet,
            }}
          />
          <SkipVerificationField
            value={skipVerification}
            onChange={setSkipVerification}
            label="Save without verifying the TLS and connection settings"
          />
        </>
      )}
      <GeneralError message={errors._} />
    </ActionDialog>
  );
}
