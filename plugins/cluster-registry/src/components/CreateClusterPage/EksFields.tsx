import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormHelperText from '@material-ui/core/FormHelperText';
import MenuItem from '@material-ui/core/MenuItem';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import Switch from '@material-ui/core/Switch';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  EKS_AUTHENTICATION_MODES,
  ProvisionerInfo,
} from '@cluster-registry/plugin-cluster-registry-common';
import { errorUnder, FieldErrors, Section } from '../clusterForm';
import { AUTHENTICATION_MODES, EksForm } from './eksForm';

/** Region, version, network, endpoint access, authentication and tags of a new EKS cluster. */
export function EksFields(props: {
  value: EksForm;
  onChange(value: EksForm): void;
  options: NonNullable<ProvisionerInfo['eks']>;
  errors: FieldErrors;
}) {
  const { value, onChange, options } = props;
  const error = (key: keyof EksForm) => errorUnder(props.errors, `eks.${key}`);
  const field = (key: keyof EksForm, help?: string) => ({
    id: `eks-${key}`,
    value: value[key] as string,
    onChange: (e: React.ChangeEvent<HTMLInputElement>) =>
      onChange({ ...value, [key]: e.target.value }),
    error: !!error(key),
    helperText: error(key) ?? help,
    fullWidth: true,
    margin: 'dense' as const,
    variant: 'outlined' as const,
  });
  const toggle = (
    key: 'irsa' | 'endpointPublicAccess' | 'endpointPrivateAccess',
    label: string,
  ) => (
    <FormControlLabel
      control={
        <Switch
          id={`eks-${key}`}
          checked={value[key]}
          onChange={e => onChange({ ...value, [key]: e.target.checked })}
          color="primary"
        />
      }
      label={label}
    />
  );
  return (
    <>
      <Section title="Where and which version">
        <TextField {...field('region')} select label="Region" required>
          {options.regions.map(r => (
            <MenuItem key={r} value={r}>
              {r}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          {...field(
            'kubernetesVersion',
            'Versions EKS supports that this portal offers',
          )}
          select
          label="Kubernetes version"
          required
        >
          {[...options.kubernetesVersions].reverse().map(v => (
            <MenuItem key={v} value={v}>
              {v}
            </MenuItem>
          ))}
        </TextField>
      </Section>
      <Section title="Network">
        <TextField
          {...field(
            'vpcCidr',
            'A /16 to /24 IPv4 block of the new VPC; one public and one private subnet per zone are cut from it',
          )}
          label="VPC CIDR"
          required
        />
        <TextField
          {...field(
            'availabilityZones',
            `At least two zones of the region, e.g. ${
              value.region || 'eu-west-1'
            }a ${
              value.region || 'eu-west-1'
            }b; empty: the first three available`,
          )}
          label="Availability zones"
        />
      </Section>
      <Section title="API server endpoint">
        {toggle(
          'endpointPublicAccess',
          'Public endpoint (reachable from the internet)',
        )}
        {value.endpointPublicAccess && (
          <TextField
            {...field(
              'publicAccessCidrs',
              'Who may reach the public endpoint: public blocks only; empty: everyone (0.0.0.0/0)',
            )}
            label="Public access CIDRs"
          />
        )}
        {toggle('endpointPrivateAccess', 'Private endpoint (inside the VPC)')}
        {value.endpointPrivateAccess && (
          <TextField
            {...field(
              'privateAccessCidrs',
              'EKS has no such setting: the portal creates a security group that allows HTTPS (443) from these networks and gives it to the cluster',
            )}
            label="Private access CIDRs"
          />
        )}
        {error('endpointPrivateAccess') && (
          <FormHelperText error>
            {error('endpointPrivateAccess')}
          </FormHelperText>
        )}
      </Section>
      <Section title="Authentication">
        <RadioGroup
          aria-label="Authentication mode"
          value={value.authenticationMode}
          onChange={e =>
            onChange({
              ...value,
              authenticationMode: e.target
                .value as EksForm['authenticationMode'],
            })
          }
        >
          {EKS_AUTHENTICATION_MODES.map(mode => (
            <FormControlLabel
              key={mode}
              value={mode}
              control={<Radio color="primary" id={`eks-mode-${mode}`} />}
              label={
                <>
                  <Typography variant="body1">
                    {AUTHENTICATION_MODES[mode].label}
                  </Typography>
                  <Typography variant="body2" color="textSecondary">
                    {AUTHENTICATION_MODES[mode].help}
                  </Typography>
                </>
              }
            />
          ))}
        </RadioGroup>
        {toggle(
          'irsa',
          'IAM roles for service accounts (IRSA): an IAM OIDC provider for the cluster',
        )}
      </Section>
      <Section title="Tags">
        <TextField
          {...field('team', 'Tagged team on everything created at AWS')}
          label="Team"
        />
        <TextField
          {...field(
            'environment',
            'Tagged environment on everything created at AWS',
          )}
          label="Environment"
        />
      </Section>
    </>
  );
}
