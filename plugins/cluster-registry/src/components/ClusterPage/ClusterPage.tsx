import {
  Content,
  Header,
  InfoCard,
  Page,
  Progress,
  ResponseErrorPanel,
  StructuredMetadataTable,
  WarningPanel,
} from '@backstage/core-components';
import { alertApiRef, useApi, useRouteRef } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Tooltip from '@material-ui/core/Tooltip';
import {
  Cluster,
  clusterDeletePermission,
  clusterDeprovisionPermission,
  clusterProvisionPermission,
  clusterUpdatePermission,
  ProvisioningRequest,
} from '@cluster-registry/plugin-cluster-registry-common';
import { useEffect, useRef, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { clusterRegistryApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { ClusterStateIcon } from '../ClusterStateIcon';
import { AllClustersLink } from '../AllClustersLink';
import { ClusterInsight } from '../ClusterInsight';
import {
  credentialExpiryWarning,
  expiryText,
  useExpiryWarningDays,
} from '../credentialExpiry';
import { useBusy } from '../useBusy';
import { AcceptHostKeyDialog } from './AcceptHostKeyDialog';
import { DisconnectDialog } from './DisconnectDialog';
import { DeleteAtProviderDialog } from './DeleteAtProviderDialog';
import { ProvisioningCard } from './ProvisioningCard';
import { EditClusterDialog } from './EditClusterDialog';
import { RotateCredentialsDialog } from './RotateCredentialsDialog';

/** 90 → "2 min", 7200 → "2 h", 302400 → "3.5 days". */
function lifetimeText(seconds: number) {
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 2 * 86400) return `${Math.round(seconds / 360) / 10} h`;
  return `${Math.round(seconds / 8640) / 10} days`;
}

function connectionText(c: Cluster) {
  if (c.connection.method === 'proxy')
    return `via proxy ${c.connection.proxyUrl}${
      c.connection.username ? ` as ${c.connection.username}` : ''
    }`;
  if (c.connection.method === 'sshTunnel') {
    const t = c.connection.sshTunnel;
    return `via SSH tunnel ${t.username}@${t.host}:${t.port}`;
  }
  return 'direct';
}

/**
 * The key an SSH bastion presented instead of the pinned ones, as the health
 * check recorded it in the state message.
 */
function presentedHostKey(c: Cluster): string | undefined {
  if (c.connection.method !== 'sshTunnel') return undefined;
  return /presented (SHA256:[A-Za-z0-9+/]{43})/.exec(
    c.status.message ?? '',
  )?.[1];
}

function prometheusText(c: Cluster) {
  if (!c.prometheus) return '—';
  const auth =
    c.prometheus.auth.type === 'basic'
      ? `basic auth as ${c.prometheus.auth.username}`
      : 'anonymous';
  const via =
    c.prometheus.throughClusterConnection && c.connection.method !== 'direct'
      ? ", through the cluster's connection"
      : '';
  return `${c.prometheus.url} (${auth}${via})`;
}

function versionText(c: Cluster) {
  if (!c.status.kubernetesVersion) return '—';
  if (c.status.versionSupported === false)
    return `${c.status.kubernetesVersion} (outside the supported range)`;
  return `${c.status.kubernetesVersion}${
    c.status.versionSupported ? ' (supported)' : ''
  }`;
}

/** An action button that explains, when disabled, why. */
function PermittedButton(props: {
  allowed: boolean;
  reason: string;
  onClick(): void;
  children: string;
  busy?: boolean;
}) {
  const button = (
    <span>
      <Button
        variant="outlined"
        disabled={!props.allowed || props.busy}
        onClick={props.onClick}
      >
        {props.children}
      </Button>
    </span>
  );
  return props.allowed ? (
    button
  ) : (
    <Tooltip title={props.reason}>{button}</Tooltip>
  );
}

/** /clusters/:name: one cluster's overview and actions. */
export function ClusterPage() {
  const { name = '' } = useParams();
  const api = useApi(clusterRegistryApiRef);
  const alertApi = useApi(alertApiRef);
  const navigate = useNavigate();
  const listLink = useRouteRef(rootRouteRef)();
  // Asked about this cluster: a policy may allow it by category or owner.
  const canUpdate = usePermission({
    permission: clusterUpdatePermission,
    resourceRef: name,
  });
  const canDelete = usePermission({
    permission: clusterDeletePermission,
    resourceRef: name,
  });
  const canDeprovision = usePermission({
    permission: clusterDeprovisionPermission,
    resourceRef: name,
  });
  const canProvision = usePermission({
    permission: clusterProvisionPermission,
  });
  const cluster = useAsyncRetry(() => api.getCluster(name), [api, name]);
  const provisioned = cluster.value?.origin.type === 'provisioned';
  // Also once the record is gone after a deletion: its final state.
  const gone =
    (cluster.error as { statusCode?: number } | undefined)?.statusCode === 404;
  const provisioning = useAsyncRetry(
    async () =>
      provisioned || gone
        ? api.getProvisioning(name).catch(e => {
            if (gone) return undefined;
            throw e;
          })
        : undefined,
    [api, name, provisioned, gone],
  );
  // The last request seen: after a deletion the cluster is gone (404).
  const lastRequest = useRef<ProvisioningRequest>();
  if (provisioning.value) lastRequest.current = provisioning.value;
  const lifecycle = ['provisioning', 'deleting'].includes(
    cluster.value?.status.state ?? '',
  );
  // Until the record is gone: then the last fetch above says how it ended.
  const following =
    (lifecycle || lastRequest.current?.state === 'running') && !gone;
  // While the provider works, the page follows every few seconds.
  useEffect(() => {
    if (!following) return undefined;
    const timer = setInterval(() => {
      cluster.retry();
      provisioning.retry();
    }, 3000);
    return () => clearInterval(timer);
  }, [following, cluster, provisioning]);
  const [busy, runBusy] = useBusy();
  const [deprovisioning, setDeprovisioning] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [dialog, setDialog] = useState<'edit' | 'rotate'>();
  const [accepting, setAccepting] = useState<string>();
  const warningDays = useExpiryWarningDays();
  const saved = (message: string) => () => {
    setDialog(undefined);
    cluster.retry();
    alertApi.post({ message, severity: 'success', display: 'transient' });
  };

  const act = (what: () => Promise<unknown>, done: string) =>
    runBusy(what).then(
      () =>
        alertApi.post({
          message: done,
          severity: 'success',
          display: 'transient',
        }),
      e =>
        alertApi.post({
          message: String((e as Error).message),
          severity: 'error',
        }),
    );

  let body;
  const deleted =
    (cluster.error as { statusCode?: number } | undefined)?.statusCode ===
      404 && lastRequest.current?.operation === 'delete';
  if (deleted)
    body = (
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <WarningPanel
            severity="info"
            title={`${name} was deleted at its provider`}
          >
            Everything the portal created for it is gone, and so is its record.
          </WarningPanel>
        </Grid>
        <Grid item xs={12} md={8}>
          <ProvisioningCard
            request={lastRequest.current!}
            canRetry={false}
            busy={busy}
            onRetry={() => undefined}
          />
        </Grid>
      </Grid>
    );
  else if (cluster.error) body = <ResponseErrorPanel error={cluster.error} />;
  else if (!cluster.value) body = <Progress />;
  else {
    const c = cluster.value;
    const expiry = credentialExpiryWarning(c, warningDays);
    body = (
      <Grid container spacing={3}>
        {c.tls.insecureSkipTlsVerify && (
          <Grid item xs={12}>
            <WarningPanel title="TLS verification is disabled for this cluster">
              The portal does not check the API server's certificate. Add the CA
              data instead.
            </WarningPanel>
          </Grid>
        )}
        {expiry && (
          <Grid item xs={12}>
            <WarningPanel
              severity={expiry.expired ? 'error' : 'warning'}
              title={expiryText(expiry)}
            >
              {expiry.expired
                ? 'The health check no longer sends it and shows the cluster as unauthorized. Rotate the credentials: Actions → Rotate credentials.'
                : 'Once it has expired the portal cannot reach the cluster. Rotate the credentials before then: Actions → Rotate credentials.'}
            </WarningPanel>
          </Grid>
        )}
        {presentedHostKey(c) && (
          <Grid item xs={12}>
            <WarningPanel
              title="The SSH bastion presents a host key that is not trusted"
              defaultExpanded
            >
              <Box display="flex" flexDirection="column" style={{ gap: 12 }}>
                <span>{c.status.message}</span>
                <PermittedButton
                  allowed={canUpdate.allowed}
                  reason="You may not update clusters"
                  busy={busy}
                  onClick={() => setAccepting(presentedHostKey(c))}
                >
                  Review the new host key
                </PermittedButton>
              </Box>
            </WarningPanel>
          </Grid>
        )}
        {provisioning.value && (
          <Grid item xs={12} md={8}>
            <ProvisioningCard
              request={provisioning.value}
              canRetry={
                provisioning.value.operation === 'delete'
                  ? canDeprovision.allowed
                  : canUpdate.allowed && canProvision.allowed
              }
              busy={busy}
              onRetry={() =>
                act(async () => {
                  await api.retryProvisioning(c.name);
                  cluster.retry();
                  provisioning.retry();
                }, `${c.name}: retrying`)
              }
            />
          </Grid>
        )}
        <Grid item xs={12} md={8}>
          <InfoCard title="Overview">
            <StructuredMetadataTable
              metadata={{
                state: (
                  <Box display="flex" alignItems="center" style={{ gap: 8 }}>
                    <ClusterStateIcon status={c.status} />
                    {c.status.message}
                  </Box>
                ),
                name: c.name,
                description: c.description ?? '—',
                category: c.category ?? '—',
                owner: c.owner ?? '—',
                labels:
                  Object.entries(c.labels)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(', ') || '—',
                server: c.isolated
                  ? 'isolated (no endpoint)'
                  : c.serverUrl ?? 'not known yet (being created)',
                connection: c.isolated ? '—' : connectionText(c),
                ...(c.connection.method === 'sshTunnel' && {
                  'ssh host keys':
                    c.connection.sshTunnel.hostKeyFingerprints.join(', ') ||
                    'none pinned',
                }),
                prometheus: prometheusText(c),
                'kubernetes version': versionText(c),
                nodes: c.status.nodeCount ?? '—',
                'credentials may': c.status.permissionLevel ?? '—',
                ...(c.serviceAccount && {
                  'service account': `${c.serviceAccount.namespace}/${
                    c.serviceAccount.name
                  }, bound to ClusterRole ${c.serviceAccount.clusterRole}; ${
                    c.serviceAccount.tokenType === 'secret'
                      ? 'a long-lived token from a Secret, which never expires'
                      : `a new token at least every ${lifetimeText(
                          c.serviceAccount.tokenLifetimeSeconds / 2,
                        )}`
                  }`,
                  'created in the cluster': c.serviceAccount.objects
                    .map(
                      o =>
                        `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${
                          o.name
                        }`,
                    )
                    .join(', '),
                }),
                ...(c.auth?.type !== 'aws' &&
                  c.auth?.expiresAt && {
                    'credentials expire': new Date(
                      c.auth.expiresAt,
                    ).toLocaleString(),
                  }),
                'last checked': c.status.checkedAt
                  ? new Date(c.status.checkedAt).toLocaleString()
                  : '—',
                ...(provisioned && {
                  'created at': `${(
                    c.origin.provider ?? ''
                  ).toUpperCase()}, by the portal`,
                }),
                'registered by': `${c.createdBy} on ${new Date(
                  c.createdAt,
                ).toLocaleString()}`,
              }}
            />
          </InfoCard>
        </Grid>
        <Grid item xs={12} md={4}>
          <InfoCard title="Actions">
            <Box display="flex" flexDirection="column" style={{ gap: 12 }}>
              <PermittedButton
                allowed={canUpdate.allowed}
                reason="You may not update clusters"
                busy={busy}
                onClick={() => setDialog('edit')}
              >
                Edit
              </PermittedButton>
              <PermittedButton
                allowed={
                  canUpdate.allowed &&
                  !c.isolated &&
                  !!c.serverUrl &&
                  !lifecycle
                }
                reason={
                  c.isolated || !c.serverUrl || lifecycle
                    ? 'The cluster has no credentials to rotate (isolated, or not created yet)'
                    : 'You may not update clusters'
                }
                busy={busy}
                onClick={() => setDialog('rotate')}
              >
                Rotate credentials
              </PermittedButton>
              <PermittedButton
                allowed={
                  canUpdate.allowed &&
                  !c.isolated &&
                  !!c.serverUrl &&
                  !lifecycle
                }
                reason={
                  c.isolated || !c.serverUrl || lifecycle
                    ? 'The cluster is not probed (isolated, or not created yet)'
                    : 'You may not update clusters'
                }
                busy={busy}
                onClick={() =>
                  act(async () => {
                    await api.refreshCluster(c.name);
                    cluster.retry();
                  }, `${c.name} checked`)
                }
              >
                Refresh now
              </PermittedButton>
              <PermittedButton
                allowed={canDelete.allowed && !lifecycle}
                reason={
                  lifecycle
                    ? 'The cluster is being created or deleted at its provider'
                    : 'You may not disconnect clusters'
                }
                busy={busy}
                onClick={() => setConfirming(true)}
              >
                Disconnect
              </PermittedButton>
              {provisioned && (
                <PermittedButton
                  allowed={canDeprovision.allowed && !lifecycle}
                  reason={
                    lifecycle
                      ? 'The cluster is being created or deleted at its provider'
                      : 'You may not delete clusters at their provider'
                  }
                  busy={busy}
                  onClick={() => setDeprovisioning(true)}
                >
                  {`Delete at ${(
                    c.origin.provider ?? 'provider'
                  ).toUpperCase()}`}
                </PermittedButton>
              )}
            </Box>
          </InfoCard>
        </Grid>
        {!c.isolated &&
          c.serverUrl &&
          !lifecycle &&
          c.status.state !== 'failed' && <ClusterInsight cluster={c} />}
        <DeleteAtProviderDialog
          name={c.name}
          provider={c.origin.provider ?? 'provider'}
          open={deprovisioning}
          busy={busy}
          onCancel={() => setDeprovisioning(false)}
          onConfirm={() =>
            act(async () => {
              await api.deprovisionCluster(c.name);
              setDeprovisioning(false);
              cluster.retry();
              provisioning.retry();
            }, `${c.name}: deleting at its provider`)
          }
        />
        <AcceptHostKeyDialog
          name={c.name}
          fingerprint={accepting}
          busy={busy}
          onCancel={() => setAccepting(undefined)}
          onConfirm={() =>
            act(async () => {
              await api.acceptSshHostKey(c.name, accepting!);
              setAccepting(undefined);
              cluster.retry();
            }, `${c.name} trusts the new host key`)
          }
        />
        {dialog === 'edit' && (
          <EditClusterDialog
            cluster={c}
            onCancel={() => setDialog(undefined)}
            onSaved={saved(`${c.name} saved`)}
          />
        )}
        {dialog === 'rotate' && (
          <RotateCredentialsDialog
            cluster={c}
            onCancel={() => setDialog(undefined)}
            onSaved={saved(`credentials of ${c.name} replaced`)}
          />
        )}
        <DisconnectDialog
          name={c.name}
          serviceAccount={c.serviceAccount}
          open={confirming}
          busy={busy}
          onCancel={() => setConfirming(false)}
          onConfirm={adminToken =>
            act(async () => {
              // What the registry created goes first, while it can be named.
              if (adminToken)
                await api.removeServiceAccount(c.name, {
                  auth: { type: 'bearerToken', token: adminToken },
                });
              await api.deleteCluster(c.name);
              navigate(listLink);
            }, `${c.name} disconnected`)
          }
        />
      </Grid>
    );
  }

  return (
    <Page themeId="tool">
      <Header
        title={cluster.value?.title ?? name}
        subtitle={<AllClustersLink />}
      />
      <Content>{body}</Content>
    </Page>
  );
}
