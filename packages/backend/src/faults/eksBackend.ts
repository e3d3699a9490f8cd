/**
 * A backend with the cluster registry and its EKS module, started as a
 * process of its own by eksRestart.fault.test.ts so that the test can kill
 * it (SIGKILL) in the middle of provisioning and start another one on the
 * same database. Its configuration is the file given with --config.
 */
import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();
backend.add(import('@cluster-registry/plugin-cluster-registry-backend'));
backend.add(
  import('@cluster-registry/plugin-cluster-registry-backend-module-eks'),
);
backend.start();
