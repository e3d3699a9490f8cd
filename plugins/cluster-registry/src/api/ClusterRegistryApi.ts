import { createApiRef } from '@backstage/core-plugin-api';
import {
  Category,
  Cluster,
  ClusterState,
  Page,
} from '@cluster-registry/plugin-cluster-registry-common';

/** Filters and paging of the cluster list. @public */
export interface ListClustersQuery {
  categories?: string[];
  states?: ClusterState[];
  q?: string;
  limit?: number;
  cursor?: string;
}

/** The cluster registry's REST API, as the frontend uses it. @public */
export interface ClusterRegistryApi {
  listClusters(query?: ListClustersQuery): Promise<Page<Cluster>>;
  getCluster(name: string): Promise<Cluster>;
  listCategories(): Promise<Category[]>;
  createCategory(category: Category): Promise<Category>;
  updateCategory(
    name: string,
    changes: Omit<Category, 'name'>,
  ): Promise<Category>;
  /**
   * Deletes a category. While clusters use it the backend answers 409 with
   * their names, unless they are reassigned to another category or cleared.
   */
  deleteCategory(
    name: string,
    options?: { reassignTo?: string; clear?: boolean },
  ): Promise<void>;
  /** Health-checks the cluster now; returns it with the new status. */
  refreshCluster(name: string): Promise<Cluster>;
  /** Disconnects the cluster: removes the record, the cluster itself is untouched. */
  deleteCluster(name: string): Promise<void>;
}

/** @public */
export const clusterRegistryApiRef = createApiRef<ClusterRegistryApi>({
  id: 'plugin.cluster-registry.api',
});
