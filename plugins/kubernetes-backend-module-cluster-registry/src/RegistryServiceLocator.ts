import { Entity, parseEntityRef } from '@backstage/catalog-model';
import {
  ClusterDetails,
  KubernetesClustersSupplier,
  KubernetesServiceLocator,
} from '@backstage/plugin-kubernetes-node';
import { REGISTRY_CLUSTER_KEY } from './auth';
import { RegistryConnections } from './RegistryConnections';

/** Names the clusters an entity runs on, comma-separated. @public */
export const CLUSTERS_ANNOTATION = 'cluster-registry.io/clusters';
/** Names the categories of the clusters an entity runs on, comma-separated. @public */
export const CATEGORIES_ANNOTATION = 'cluster-registry.io/categories';
/**
 * Selects the clusters an entity runs on by their labels:
 * `key=value` pairs (or `key`: any value), comma-separated, all of which
 * must match. @public
 */
export const CLUSTER_SELECTOR_ANNOTATION =
  'cluster-registry.io/cluster-selector';

const list = (value?: string) =>
  (value ?? '')
    .split(',')
    .map(v => v.trim())
    .filter(Boolean);

/** What an entity says about its clusters; undefined if it says nothing. */
function clusterSelection(entity: Entity):
  | {
      names: Set<string>;
      categories: Set<string>;
      labels?: Array<[string, string | undefined]>;
      /** Names of the default-namespace Resources it depends on (maybe clusters). */
      dependsOn: Set<string>;
    }
  | undefined {
  const annotations = entity.metadata.annotations ?? {};
  const names = new Set(list(annotations[CLUSTERS_ANNOTATION]));
  const categories = new Set(list(annotations[CATEGORIES_ANNOTATION]));
  const selector = list(annotations[CLUSTER_SELECTOR_ANNOTATION]);
  const labels = selector.length
    ? selector.map((pair): [string, string | undefined] => {
        const at = pair.indexOf('=');
        // `key` alone: the cluster has the label, whatever its value.
        return at < 0
          ? [pair, undefined]
          : [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
      })
    : undefined;
  // The catalog module's cluster entities: resource:default/<cluster>.
  const dependsOn = new Set<string>();
  for (const r of entity.relations ?? []) {
    if (r.type !== 'dependsOn') continue;
    try {
      const ref = parseEntityRef(r.targetRef);
      if (ref.kind === 'resource' && ref.namespace === 'default')
        dependsOn.add(ref.name);
    } catch {
      // not an entity reference
    }
  }
  if (!names.size && !categories.size && !labels && !dependsOn.size)
    return undefined;
  return { names, categories, labels, dependsOn };
}

/**
 * Locates an entity's clusters from what it says about them, so that its
 * Kubernetes tab asks only those, not every cluster of the portal:
 *
 * - `cluster-registry.io/clusters`: cluster names (registered or configured);
 * - `cluster-registry.io/categories`: registered clusters in these categories;
 * - `cluster-registry.io/cluster-selector`: registered clusters with all
 *   these labels (`team=payments,tier=web`; `team` alone: any value);
 * - `dependsOn` relations to the clusters' catalog entities
 *   (`resource:default/<cluster>`, the Resources the catalog module emits).
 *
 * A cluster any of them names is located (their union), among the clusters
 * the supplier gives the asking user. An entity that says none of this is
 * located by the configured `serviceLocatorMethod`, as before.
 *
 * @public
 */
export class RegistryServiceLocator implements KubernetesServiceLocator {
  constructor(
    private readonly clusterSupplier: KubernetesClustersSupplier,
    private readonly fallback: KubernetesServiceLocator,
    private readonly kept: RegistryConnections,
  ) {}

  async getClustersByEntity(
    entity: Entity,
    requestContext: Parameters<
      KubernetesServiceLocator['getClustersByEntity']
    >[1],
  ): Promise<{ clusters: ClusterDetails[] }> {
    const selection = clusterSelection(entity);
    if (!selection)
      return this.fallback.getClustersByEntity(entity, requestContext);
    const [supplied] = await Promise.all([
      this.clusterSupplier.getClusters({
        credentials: requestContext.credentials,
      }),
      this.kept.connections().catch(() => []),
    ]);
    const registered = (name: string) => this.kept.find(name);
    const { names, categories, labels, dependsOn } = selection;
    // Relations alone count only where they name a cluster (a Component
    // also depends on databases and queues).
    if (
      !names.size &&
      !categories.size &&
      !labels &&
      ![...dependsOn].some(
        n => registered(n) || supplied.some(c => c.name === n),
      )
    )
      return this.fallback.getClustersByEntity(entity, requestContext);
    const located = supplied.filter(cluster => {
      if (names.has(cluster.name) || dependsOn.has(cluster.name)) return true;
      // Categories and labels are the registry's: its clusters only.
      if (cluster.authMetadata[REGISTRY_CLUSTER_KEY] !== cluster.name)
        return false;
      const c = registered(cluster.name);
      if (!c) return false;
      if (c.category !== undefined && categories.has(c.category)) return true;
      return (
        labels !== undefined &&
        labels.every(([key, value]) =>
          value === undefined
            ? Object.prototype.hasOwnProperty.call(c.labels ?? {}, key)
            : c.labels?.[key] === value,
        )
      );
    });
    return { clusters: located };
  }
}
