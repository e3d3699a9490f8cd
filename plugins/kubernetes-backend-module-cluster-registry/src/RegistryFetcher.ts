import {
  ClusterDetails,
  FetchResponseWrapper,
  KubernetesFetcher,
} from '@backstage/plugin-kubernetes-node';
import { REGISTRY_CLUSTER_KEY } from './auth';
import { RegistryConnections } from './RegistryConnections';

/**
 * The Kubernetes plugin's fetcher, except for registered clusters the
 * registry's health check last found unreachable: those answer at once with
 * that state as the cluster's error, instead of holding the entity's tab up
 * for connect timeouts. The next check that reaches the cluster (an event)
 * puts it back in the running.
 *
 * @public
 */
export class RegistryFetcher implements KubernetesFetcher {
  constructor(
    private readonly fetcher: KubernetesFetcher,
    private readonly kept: RegistryConnections,
    private readonly clusterPageUrl: (name: string) => string,
  ) {}

  /** The registry's word on an unreachable cluster, or undefined. */
  private async unreachable(
    cluster: ClusterDetails,
  ): Promise<FetchResponseWrapper | undefined> {
    const name = cluster.authMetadata[REGISTRY_CLUSTER_KEY];
    if (!name) return undefined;
    await this.kept.connections().catch(() => []);
    if (this.kept.find(name)?.state !== 'unreachable') return undefined;
    return {
      errors: [
        {
          errorType: 'FETCH_ERROR',
          message: `the cluster registry's last health check could not reach ${name}; not asked until a check reaches it again (${this.clusterPageUrl(
            name,
          )})`,
        },
      ],
      responses: [],
    };
  }

  async fetchObjectsForService(
    params: Parameters<KubernetesFetcher['fetchObjectsForService']>[0],
  ): Promise<FetchResponseWrapper> {
    return (
      (await this.unreachable(params.clusterDetails)) ??
      this.fetcher.fetchObjectsForService(params)
    );
  }

  async fetchPodMetricsByNamespaces(
    ...args: Parameters<KubernetesFetcher['fetchPodMetricsByNamespaces']>
  ): Promise<FetchResponseWrapper> {
    return (
      (await this.unreachable(args[0])) ??
      this.fetcher.fetchPodMetricsByNamespaces(...args)
    );
  }
}
