/**
 * Types, permissions and input rules shared by the cluster registry's
 * frontend and backend, and the REST client generated from its OpenAPI
 * document.
 *
 * @packageDocumentation
 */

/** The plugin id of the cluster registry. @public */
export const CLUSTER_REGISTRY_PLUGIN_ID = 'cluster-registry';

export * from './types';
export * from './permissions';
export * from './schemas';
export * from './metrics';
export * from './identity';
export * from './sshHostKeys';
export * from './credentialExpiry';
export * from './connectionFields';
export * from './provisioning';
export { DefaultApiClient } from './schema/openapi/generated';
export type {
  AcceptSshHostKey,
  CreateCategory,
  CreateCluster,
  DeleteCategory,
  DeleteCluster,
  DeprovisionCluster,
  GetCluster,
  GetClusterInsight,
  GetConnection,
  GetHealthTrends,
  GetProvisioning,
  GetMetricsSources,
  ImportKubeconfig,
  InspectKubeconfig,
  ListCategories,
  ListClusterEvents,
  ListClusters,
  ListConnections,
  ListNamedQueries,
  ListProvisioners,
  ProvisionCluster,
  QueryClusterMetrics,
  QueryClusterMetricsRaw,
  QueryEntityMetrics,
  RefreshCluster,
  RemoveServiceAccount,
  RetryProvisioning,
  RequestOptions,
  RotateCredentials,
  TestClusterPrometheus,
  TestPrometheus,
  TypedResponse,
  UpdateCategory,
  UpdateCluster,
  VerifyCluster,
} from './schema/openapi/generated';
