/**
 * Catalog backend module: registered clusters as Resource entities.
 *
 * @packageDocumentation
 */
export { catalogModuleClusterRegistry as default } from './module';
export { ClusterEntityProvider } from './ClusterEntityProvider';
export type { ClusterEntitySync } from './ClusterEntityProvider';
export { clusterEntity, CATEGORY_LABEL } from './clusterEntity';
export type { ClusterEntityOptions } from './clusterEntity';
