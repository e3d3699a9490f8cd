import Box from '@material-ui/core/Box';
import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { FieldErrors, ServiceAccountForm } from './formModel';
import { Section } from './Section';

/** The built-in ClusterRoles to bind, and what each lets the portal do. */
const ROLES: Array<{ name: string; explains: string }> = [
  {
    name: 'view',
    explains:
      'Read most objects in every namespace, not Secrets: enough for the cluster page, the Kubernetes tabs and health checks.',
  },
  {
    name: 'edit',
    explains:
      'Also change workloads (restart, scale, delete pods) and read Secrets; not roles or bindings.',
  },
  {
    name: 'admin',
    explains: 'Also manage roles and bindings inside namespaces.',
  },
  {
    name: 'cluster-admin',
    explains: 'Everything: what the admin credential itself could do.',
  },
];

/** How the account's token is obtained, and what each choice means. */
const TOKEN_TYPES: Array<{
  value: ServiceAccountForm['tokenType'];
  label: string;
  explains: string;
}> = [
  {
    value: 'requested',
    label: 'Short-lived, renewed (recommended)',
    explains:
      'TokenRequest tokens that expire; the registry renews each before it does, with the account’s own token. A leaked token stops working by itself.',
  },
  {
    value: 'secret',
    label: 'Long-lived token Secret',
    explains:
      'One token that never expires, kept by the cluster in a Secret (its token controller, part of kube-controller-manager, fills it). It keeps working while the portal is down; it stops only when the Secret is deleted (Disconnect offers it).',
  },
];

/**
 * "Keep none of this credential": the credential entered above is an
 * admin's, used once to create a ServiceAccount; only its token is stored.
 */
export function ServiceAccountFields(props: {
  value: ServiceAccountForm;
  onChange(value: ServiceAccountForm): void;
  errors: FieldErrors;
}) {
  const { value, onChange, errors } = props;
  const role = ROLES.find(r => r.name === value.clusterRole);
  return (
    <Section
      title="Credential to keep"
      description="Give an admin credential above and the registry stores none of it: it creates a ServiceAccount in the cluster, binds it to a ClusterRole, and keeps only that account's token: a short-lived one it renews before it expires, or a long-lived token Secret."
    >
      <FormControlLabel
        control={
          <Checkbox
            checked={value.enabled}
            onChange={e => onChange({ ...value, enabled: e.target.checked })}
            inputProps={{
              'aria-label': 'Create a ServiceAccount and keep only its token',
            }}
          />
        }
        label="Create a ServiceAccount and keep only its token"
      />
      {value.enabled && (
        <Box display="flex" style={{ gap: 16 }} mt={1}>
          <TextField
            select
            id="service-account-cluster-role"
            label="ClusterRole"
            value={value.clusterRole}
            onChange={e => onChange({ ...value, clusterRole: e.target.value })}
            error={Boolean(errors['serviceAccount.clusterRole'])}
            helperText={
              errors['serviceAccount.clusterRole'] ?? role?.explains ?? ''
            }
            style={{ minWidth: 320 }}
          >
            {ROLES.map(r => (
              <MenuItem key={r.name} value={r.name}>
                {r.name}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            select
            id="service-account-token-type"
            label="Token"
            value={value.tokenType}
            onChange={e =>
              onChange({
                ...value,
                tokenType: e.target.value as ServiceAccountForm['tokenType'],
              })
            }
            error={Boolean(errors['serviceAccount.tokenType'])}
            helperText={
              errors['serviceAccount.tokenType'] ??
              TOKEN_TYPES.find(t => t.value === value.tokenType)?.explains
            }
            style={{ minWidth: 320 }}
          >
            {TOKEN_TYPES.map(t => (
              <MenuItem key={t.value} value={t.value}>
                {t.label}
              </MenuItem>
            ))}
          </TextField>
          {value.tokenType === 'requested' && (
            <TextField
              id="service-account-lifetime"
              label="Token lifetime (hours)"
              type="number"
              value={value.tokenLifetimeHours}
              onChange={e =>
                onChange({ ...value, tokenLifetimeHours: e.target.value })
              }
              error={Boolean(errors['serviceAccount.tokenLifetimeSeconds'])}
              helperText={
                errors['serviceAccount.tokenLifetimeSeconds'] ??
                'Renewed when half of it is left'
              }
            />
          )}
        </Box>
      )}
      {errors.serviceAccount && (
        <Box color="error.main" mt={1} role="alert">
          {errors.serviceAccount}
        </Box>
      )}
    </Section>
  );
}
