import { Link } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { Alert } from '@material-ui/lab';
import {
  KubeconfigImportResult,
  KubeconfigInspection,
} from '@cluster-registry/plugin-cluster-registry-common';
import { useState } from 'react';
import { clusterRegistryApiRef } from '../../api';
import { clusterRouteRef } from '../../routes';
import {
  DetailsFields,
  emptyDetails,
  errorsFromResponse,
  FieldErrors,
  Section,
  SkipVerificationField,
  GeneralError,
  emptyServiceAccount,
  ServiceAccountFields,
  serviceAccountRequest,
} from '../clusterForm';
import { useBusy } from '../useBusy';
import { useCategories } from './useCategories';

const AUTH_KIND: Record<string, string> = {
  token: 'bearer token',
  clientCertificate: 'client certificate',
  exec: 'exec plugin',
  authProvider: 'auth provider',
  basic: 'basic auth',
  file: 'file reference',
  none: 'no credentials',
};

/** Paste or upload a kubeconfig, pick contexts, register each (one result per context). */
export function KubeconfigRegistration() {
  const api = useApi(clusterRegistryApiRef);
  const clusterLink = useRouteRef(clusterRouteRef);
  const categories = useCategories();
  const [kubeconfig, setKubeconfig] = useState('');
  const [inspection, setInspection] = useState<KubeconfigInspection>();
  const [picks, setPicks] = useState<
    Record<string, { selected: boolean; name: string }>
  >({});
  const [shared, setShared] = useState(emptyDetails);
  const [skipVerification, setSkipVerification] = useState(false);
  const [serviceAccount, setServiceAccount] = useState(emptyServiceAccount);
  const [results, setResults] = useState<KubeconfigImportResult[]>();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, runBusy] = useBusy();

  const changeKubeconfig = (text: string) => {
    setKubeconfig(text);
    setInspection(undefined);
    setResults(undefined);
    setErrors({});
  };

  const getClusters = async () => {
    try {
      const found = await runBusy(() => api.inspectKubeconfig(kubeconfig));
      setInspection(found);
      setPicks(
        Object.fromEntries(
          found.contexts.map(c => [
            c.context,
            { selected: false, name: c.suggestedName },
          ]),
        ),
      );
      setErrors({});
    } catch (e) {
      setErrors(errorsFromResponse(e));
    }
  };

  const selected = Object.entries(picks).filter(([, p]) => p.selected);

  const save = async () => {
    try {
      const answer = await runBusy(() =>
        api.importKubeconfig({
          kubeconfig,
          contexts: selected.map(([context, p]) => ({
            context,
            name: p.name.trim() || undefined,
          })),
          category: shared.category || undefined,
          owner: shared.owner.trim() || undefined,
          serviceAccount: serviceAccountRequest(serviceAccount),
          skipVerification,
        }),
      );
      setResults(answer);
      setErrors({});
      // Created ones are done; failed ones stay picked to fix and retry.
      setPicks(current => {
        const next = { ...current };
        for (const r of answer)
          if (r.status === 'created')
            next[r.context] = { ...next[r.context], selected: false };
        return next;
      });
    } catch (e) {
      setErrors(errorsFromResponse(e));
    }
  };

  return (
    <Box maxWidth={960}>
      <TextField
        id="kubeconfig-text"
        label="Kubeconfig"
        multiline
        minRows={6}
        maxRows={16}
        value={kubeconfig}
        onChange={e => changeKubeconfig(e.target.value)}
        error={!!errors.kubeconfig}
        helperText={
          errors.kubeconfig ??
          'Paste a kubeconfig or choose a file; credentials are stored encrypted and never shown again'
        }
        fullWidth
        margin="dense"
        variant="outlined"
        InputProps={{ style: { fontFamily: 'monospace' } }}
      />
      <Box display="flex" alignItems="center" mt={1} style={{ gap: 12 }}>
        <Button variant="outlined" component="label">
          Choose file
          <input
            type="file"
            hidden
            aria-label="Kubeconfig file"
            onChange={async e => {
              const file = e.target.files?.[0];
              if (file) changeKubeconfig(await file.text());
            }}
          />
        </Button>
        <Button
          variant="contained"
          color="primary"
          disabled={busy || !kubeconfig.trim()}
          onClick={getClusters}
        >
          Get clusters
        </Button>
      </Box>
      {inspection && (
        <Section
          title="Clusters in the kubeconfig"
          description="Pick the contexts to register; each becomes a cluster with the name you give it."
        >
          <Table size="small" aria-label="Contexts in the kubeconfig">
            <TableHead>
              <TableRow>
                <TableCell padding="checkbox" />
                <TableCell>Context</TableCell>
                <TableCell>Cluster name</TableCell>
                <TableCell>Server</TableCell>
                <TableCell>Auth</TableCell>
                <TableCell>Usable</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {inspection.contexts.map(c => (
                <TableRow key={c.context}>
                  <TableCell padding="checkbox">
                    <Checkbox
                      inputProps={{ 'aria-label': `Import ${c.context}` }}
                      disabled={!c.usable}
                      checked={picks[c.context]?.selected ?? false}
                      onChange={e =>
                        setPicks({
                          ...picks,
                          [c.context]: {
                            ...picks[c.context],
                            selected: e.target.checked,
                          },
                        })
                      }
                    />
                  </TableCell>
                  <TableCell>{c.context}</TableCell>
                  <TableCell>
                    <TextField
                      inputProps={{ 'aria-label': `Name for ${c.context}` }}
                      disabled={!c.usable}
                      value={picks[c.context]?.name ?? ''}
                      onChange={e =>
                        setPicks({
                          ...picks,
                          [c.context]: {
                            ...picks[c.context],
                            name: e.target.value,
                          },
                        })
                      }
                      size="small"
                    />
                  </TableCell>
                  <TableCell>{c.serverUrl}</TableCell>
                  <TableCell>{AUTH_KIND[c.authKind] ?? c.authKind}</TableCell>
                  <TableCell>
                    {c.usable ? (
                      'yes'
                    ) : (
                      <Typography variant="body2" color="error">
                        {c.reason}
                      </Typography>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <Section title="For every picked cluster">
            <DetailsFields
              sharedOnly
              value={shared}
              onChange={setShared}
              categories={categories}
              errors={errors}
            />
            <SkipVerificationField
              value={skipVerification}
              onChange={setSkipVerification}
            />
          </Section>
          <ServiceAccountFields
            value={serviceAccount}
            onChange={setServiceAccount}
            errors={errors}
          />
          <Box mt={2}>
            <Button
              variant="contained"
              color="primary"
              disabled={busy || selected.length === 0}
              onClick={save}
            >
              Register {selected.length || ''} selected
            </Button>
          </Box>
        </Section>
      )}
      <GeneralError message={errors._} />
      {results && (
        <Section title="Results">
          <Box
            role="status"
            display="flex"
            flexDirection="column"
            style={{ gap: 8 }}
          >
            {results.map(r =>
              r.status === 'created' ? (
                <Alert key={r.context} severity="success">
                  {r.context}: registered as{' '}
                  <Link to={clusterLink({ name: r.name })}>{r.name}</Link>
                </Alert>
              ) : (
                <Alert key={r.context} severity="error">
                  {r.context}: not registered as {r.name}: {r.error.message}
                </Alert>
              ),
            )}
          </Box>
        </Section>
      )}
    </Box>
  );
}
