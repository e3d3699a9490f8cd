import Box from '@material-ui/core/Box';
import { Alert } from '@material-ui/lab';
import { UnsavedVerification } from '@cluster-registry/plugin-cluster-registry-common';

/** What "Verify" found: version, permission level and nodes, or why it failed. */
export function VerificationPanel(props: { result?: UnsavedVerification }) {
  const r = props.result;
  if (!r) return null;
  let text: string;
  if (r.ok) {
    const support =
      r.versionSupported === false ? ' (outside the supported range)' : '';
    text = `Connected: Kubernetes ${
      r.kubernetesVersion
    }${support}; the credentials may ${
      r.permissionLevel === 'admin' ? 'administer the cluster' : 'read'
    }${r.nodeCount !== undefined ? `; ${r.nodeCount} node(s)` : ''}.`;
  } else {
    text = `Verification failed (${r.reason}): ${r.message}`;
  }
  const key = r.sshHostKey;
  return (
    <Box mt={2} role="status" aria-live="polite">
      <Alert severity={r.ok ? 'success' : 'error'}>{text}</Alert>
      {key && (
        <Box mt={1}>
          <Alert severity={key.pinned || r.ok ? 'info' : 'warning'}>
            SSH host key of the bastion: <code>{key.fingerprint}</code>
            {key.pinned && ' (pinned)'}
            {!key.pinned &&
              r.ok &&
              '. Compare it with the bastion (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub); registering pins it.'}
            {!key.pinned &&
              !r.ok &&
              '. It is not one of the trusted host keys.'}
          </Alert>
        </Box>
      )}
    </Box>
  );
}
