import { LoggerService } from '@backstage/backend-plugin-api';
import { ClusterStore } from '../database/types';
import { ClusterService } from '../service/ClusterService';

/**
 * Re-checks every non-isolated cluster with at most `concurrency` checks in
 * flight; each check is bounded by the verification timeout. Run by the
 * scheduler with global scope, so several replicas do not duplicate the work.
 */
export class HealthChecker {
  constructor(
    private readonly store: ClusterStore,
    private readonly service: ClusterService,
    private readonly logger: LoggerService,
    private readonly concurrency: number,
  ) {}

  async checkAll(): Promise<{ checked: number; running: number }> {
    const clusters = (await this.store.listAllClusters()).filter(
      c => !['provisioning', 'deleting'].includes(c.status.state),
    );
    let next = 0;
    let running = 0;
    const worker = async () => {
      while (next < clusters.length) {
        const cluster = clusters[next++];
        try {
          const probe = await this.service.probe({
            serverUrl: cluster.serverUrl!,
            auth: cluster.auth!,
            tls: cluster.tls,
            connection: cluster.connection,
            secrets: cluster.secrets,
          });
          if (probe.ok) running++;
          await this.service.recordHealth(cluster, probe);
        } catch (e) {
          this.logger.warn(
            `health check of cluster ${cluster.name} failed: ${e}`,
          );
        }
      }
    };
    await Promise.all(
      Array.from(
        { length: Math.min(this.concurrency, clusters.length) },
        worker,
      ),
    );
    this.logger.info(
      `health check: ${clusters.length} cluster(s) checked, ${running} running`,
    );
    return { checked: clusters.length, running };
  }
}
