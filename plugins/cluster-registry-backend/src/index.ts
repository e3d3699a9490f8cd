/**
 * The cluster registry backend: registers, verifies, stores and health-checks
 * Kubernetes clusters at runtime, under /api/cluster-registry.
 *
 * @packageDocumentation
 */
export { clusterRegistryPlugin as default } from './plugin';
