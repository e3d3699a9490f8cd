import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { EndpointForm, errorFor, FieldErrors } from './formModel';
import { PemField } from './PemField';
import { SecretField } from './SecretField';
import { TlsFields } from './TlsFields';

/** Server URL, credentials (token, client certificate or AWS IAM) and TLS. */
export function EndpointFields(props: {
  value: EndpointForm;
  onChange(value: EndpointForm): void;
  errors: FieldErrors;
}) {
  const { value, errors } = props;
  const set = (changes: Partial<EndpointForm>) =>
    props.onChange({ ...value, ...changes });
  return (
    <>
      <TextField
        id="cluster-serverUrl"
        label="Server URL"
        required
        placeholder="https://10.0.0.1:6443"
        value={value.serverUrl}
        onChange={e => set({ serverUrl: e.target.value })}
        error={!!errors.serverUrl}
        helperText={errors.serverUrl ?? "The API server's https:// address"}
        fullWidth
        margin="dense"
        variant="outlined"
      />
      <TextField
        id="cluster-authType"
        select
        label="Authentication"
        value={value.authType}
        onChange={e =>
          set({ authType: e.target.value as EndpointForm['authType'] })
        }
        fullWidth
        margin="dense"
        variant="outlined"
      >
        <MenuItem value="bearerToken">Bearer token</MenuItem>
        <MenuItem value="clientCertificate">Client certificate</MenuItem>
        <MenuItem value="aws">AWS IAM (EKS)</MenuItem>
      </TextField>
      {value.authType === 'aws' && (
        <>
          <TextField
            id="cluster-awsClusterId"
            label="EKS cluster id"
            required
            value={value.awsClusterId}
            onChange={e => set({ awsClusterId: e.target.value })}
            error={!!errorFor(errors, 'auth.clusterId', 'auth')}
            helperText={
              errorFor(errors, 'auth.clusterId', 'auth') ??
              "The cluster's name in EKS; each token is signed for it. No credential is stored: the portal's AWS credentials (or the role below) are used, as by the Kubernetes plugin."
            }
            fullWidth
            margin="dense"
            variant="outlined"
          />
          <TextField
            id="cluster-awsAssumeRole"
            label="Role to assume (ARN, optional)"
            placeholder="arn:aws:iam::123456789012:role/portal-eks-read"
            value={value.awsAssumeRole}
            onChange={e => set({ awsAssumeRole: e.target.value })}
            error={!!errors['auth.assumeRole']}
            helperText={
              errors['auth.assumeRole'] ??
              'Mapped in the cluster (EKS access entry or aws-auth ConfigMap)'
            }
            fullWidth
            margin="dense"
            variant="outlined"
          />
          <TextField
            id="cluster-awsExternalId"
            label="External id (optional)"
            value={value.awsExternalId}
            onChange={e => set({ awsExternalId: e.target.value })}
            error={!!errors['auth.externalId']}
            helperText={errors['auth.externalId']}
            fullWidth
            margin="dense"
            variant="outlined"
          />
        </>
      )}
      {value.authType === 'bearerToken' && (
        <SecretField
          id="cluster-token"
          label="Bearer token"
          value={value.token}
          onChange={token => set({ token })}
          error={errorFor(errors, 'auth.token', 'auth')}
          helperText="A ServiceAccount token; at least the view ClusterRole"
        />
      )}
      {value.authType === 'clientCertificate' && (
        <>
          <PemField
            id="cluster-certData"
            label="Client certificate (PEM)"
            minRows={3}
            value={value.certData}
            onChange={certData => set({ certData })}
            error={errorFor(errors, 'auth.certData', 'auth')}
          />
          <SecretField
            id="cluster-keyData"
            label="Client key (PEM)"
            multiline
            value={value.keyData}
            onChange={keyData => set({ keyData })}
            error={errors['auth.keyData']}
          />
        </>
      )}
      <TlsFields value={value} onChange={tls => set(tls)} errors={errors} />
    </>
  );
}
