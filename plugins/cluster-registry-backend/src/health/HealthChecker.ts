import { LoggerService } from '@backstage/backend-plugin-api';
import { ClusterService } from '../service/ClusterService';
import { ExpiryNotifier } from './ExpiryNotifier';

/** Results written per transaction. */
const BATCH_SIZE = 100;

/**
 * Re-checks every non-isolated cluster with at most `concurrency` checks in
 * flight; each check is bounded by the verification timeout. Run by the
 * scheduler with global scope, so several replicas do not duplicate the work.
 * The results are written in batches of BATCH_SIZE, one transaction each.
 */
export class HealthChecker {
  private readonly service: ClusterService;
  private readonly logger: LoggerService;
  private readonly concurrency: number;
  private readonly notifier?: ExpiryNotifier;

  constructor(options: {
    service: ClusterService;
    logger: LoggerService;
    /** Checks in flight at once. */
    concurrency: number;
    /** Tells owners of credentials that expire soon, after each sweep. */
    notifier?: ExpiryNotifier;
  }) {
    this.service = options.service;
    this.logger = options.logger;
    this.concurrency = options.concurrency;
    this.notifier = options.notifier;
  }

  async checkAll(): Promise<{ checked: number; running: number }> {
    const clusters = await this.service.clustersToCheck((name, error) =>
      this.logger.warn(
        `health check of cluster ${name} skipped: its secrets cannot be decrypted (${error.message}); see reencrypt-secrets`,
      ),
    );
    let next = 0;
    let running = 0;
    // Results are written in batches, one transaction each, one batch at a
    // time, while the checks go on.
    type Check = Parameters<ClusterService['recordHealthOf']>[0][number];
    let batch: Check[] = [];
    let written: Promise<void> = Promise.resolve();
    const flush = () => {
      const checks = batch;
      batch = [];
      if (checks.length === 0) return written;
      written = written.then(() =>
        this.service
          .recordHealthOf(checks)
          .catch(e =>
            this.logger.warn(
              `health check: the results of ${checks.length} cluster(s) were not recorded: ${e}`,
            ),
          ),
      );
      return written;
    };
    const worker = async () => {
      while (next < clusters.length) {
        let cluster = clusters[next++];
        try {
          // A minted ServiceAccount's token is renewed before it expires;
          // if that fails, the check below says what the old token can do.
          try {
            cluster = await this.service.renewServiceAccountToken(cluster);
          } catch (e) {
            this.logger.warn(
              `cluster ${cluster.name}: its ServiceAccount token could not be renewed: ${e}`,
            );
          }
          const started = Date.now();
          const probe = await this.service.probe({
            serverUrl: cluster.serverUrl!,
            auth: cluster.auth!,
            tls: cluster.tls,
            connection: cluster.connection,
            secrets: cluster.secrets,
          });
          if (probe.ok) running++;
          batch.push({
            record: cluster,
            probe,
            latencyMs: Date.now() - started,
          });
          if (batch.length >= BATCH_SIZE) flush();
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
    await flush();
    this.logger.info(
      `health check: ${clusters.length} cluster(s) checked, ${running} running`,
    );
    try {
      await this.notifier?.notify(clusters);
    } catch (e) {
      this.logger.warn(`credential-expiry notifications failed: ${e}`);
    }
    return { checked: clusters.length, running };
  }
}
