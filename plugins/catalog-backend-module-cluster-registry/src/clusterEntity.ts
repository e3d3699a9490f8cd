import { clusterPageUrl } from '@cluster-registry/plugin-cluster-registry-common';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
} from '@backstage/catalog-model';
import { Cluster } from '@cluster-registry/plugin-cluster-registry-common';

/**
 * The label (and tag) that carries a cluster's category on its entity.
 *
 * @public
 */
export const CATEGORY_LABEL = 'cluster-registry/category';
const SYSTEM_LABEL = 'backstage.io/system';

/**
 * How {@link clusterEntity} builds an entity.
 *
 * @public
 */
export interface ClusterEntityOptions {
  /** The portal's address (app.baseUrl): entities link to the cluster page. */
  appBaseUrl: string;
  /** Owner of clusters that carry no owner of their own. */
  defaultOwner: string;
  /** System of clusters that carry no `backstage.io/system` label. */
  system?: string;
  /** Location key of the provider; also the managed-by annotations. */
  locationKey: string;
}

/**
 * One registered cluster as a catalog Resource of type kubernetes-cluster:
 * category as label and tag, state, version and connection as annotations, a
 * link to the cluster page. Built from the API's view: no credentials exist
 * in it to leak.
 *
 * @public
 */
export function clusterEntity(
  c: Cluster,
  options: ClusterEntityOptions,
): Entity {
  const { [SYSTEM_LABEL]: systemLabel, ...labels } = c.labels;
  const annotations: Record<string, string> = {
    [ANNOTATION_LOCATION]: options.locationKey,
    [ANNOTATION_ORIGIN_LOCATION]: options.locationKey,
    'cluster-registry/state': c.status.state,
    'cluster-registry/connection-method': c.isolated
      ? 'isolated'
      : c.connection.method,
  };
  if (c.status.kubernetesVersion)
    annotations['cluster-registry/kubernetes-version'] =
      c.status.kubernetesVersion;
  if (c.serverUrl) annotations['cluster-registry/server-url'] = c.serverUrl;
  const system = systemLabel ?? options.system;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: c.name,
      namespace: 'default',
      title: c.title,
      ...(c.description && { description: c.description }),
      labels: {
        ...labels,
        ...(c.category && { [CATEGORY_LABEL]: c.category }),
      },
      tags: c.category ? [c.category] : [],
      annotations,
      links: [
        {
          url: clusterPageUrl(options.appBaseUrl, c.name),
          title: 'Cluster page',
          icon: 'dashboard',
        },
      ],
    },
    spec: {
      type: 'kubernetes-cluster',
      owner: c.owner ?? options.defaultOwner,
      ...(system && { system }),
    },
  };
}
