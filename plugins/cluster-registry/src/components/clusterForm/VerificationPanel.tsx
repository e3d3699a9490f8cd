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
  return (
    <Box mt={2} role="status" aria-live="polite">
      <Alert severity={r.ok ? 'success' : 'error'}>{text}</Alert>
    </Box>
  );
}
