/**
 * The shapes of the cluster registry's REST API (`/api/cluster-registry`).
 *
 * They are generated from the backend's OpenAPI document
 * (`plugins/cluster-registry-backend/src/schema/openapi.yaml`) into
 * `schema/openapi/generated`; this file only names a few of them the way the
 * rest of the suite uses them. Secrets never appear in a response: where one
 * is stored, the response says only that it is set (`tokenSet`, `keySet`,
 * `passwordSet`, ...).
 */
import type {
  ClusterState,
  UnsavedVerification,
} from './schema/openapi/generated';

export type * from './schema/openapi/generated/models';

/** All states, in the order lists show them. @public */
export const CLUSTER_STATES = [
  'running',
  'pending',
  'unreachable',
  'unauthorized',
  'isolated',
  'provisioning',
  'failed',
  'deleting',
] as const satisfies readonly ClusterState[];

// Every state of the contract is listed above (compile-time check).
type MissingState = Exclude<ClusterState, (typeof CLUSTER_STATES)[number]>;
const noStateMissing: MissingState extends never ? true : never = true;
void noStateMissing;

/** What a verification found, without the fields only POST /verify adds. @public */
export type VerificationResult = Omit<
  UnsavedVerification,
  'nodeCount' | 'field'
>;
