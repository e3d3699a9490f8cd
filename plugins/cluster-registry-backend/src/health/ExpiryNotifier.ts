import { LoggerService } from '@backstage/backend-plugin-api';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  CredentialExpiryWarning,
  credentialExpiryWarning,
  expiresIn,
} from '@cluster-registry/plugin-cluster-registry-common';
import { ClusterRecord, ClusterStore } from '../database/types';

/** A notifications backend that does not answer must not hold up the sweep. */
const SEND_TIMEOUT_MS = 10_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${ms / 1000} s`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** What the notifier reads of the config (`clusterRegistry.credentialExpiry`). */
export interface ExpirySettings {
  /** Days before expiry from which a cluster's credential is flagged. */
  warningDays: number;
  /** Who hears of clusters that have no owner (entity refs). */
  fallbackRecipients: string[];
}

/**
 * Tells a cluster's owner through Backstage notifications that its token or
 * client certificate expires soon, and again once it has expired: each once
 * per credential (the notice sent is stored with the cluster, so replicas and
 * restarts do not repeat it; a rotated credential starts afresh). Where the
 * notifications plugin is not installed, sending fails and is only logged.
 */
export class ExpiryNotifier {
  private readonly warned = new Set<string>();

  constructor(
    private readonly options: {
      store: Pick<ClusterStore, 'listExpiryNotices' | 'claimExpiryNotice'>;
      notifications: NotificationService;
      logger: LoggerService;
      settings: ExpirySettings;
    },
  ) {}

  /** Sends what is due for these clusters (the health sweep's). */
  async notify(clusters: ClusterRecord[], now = Date.now()): Promise<number> {
    const due = clusters.flatMap(cluster => {
      const warning = credentialExpiryWarning(
        cluster,
        this.options.settings.warningDays,
        now,
      );
      if (!warning) return [];
      const stage = warning.expired ? 'expired' : 'soon';
      return [{ cluster, warning, notice: `${stage}:${warning.expiresAt}` }];
    });
    if (!due.length) return 0;
    const sent = await this.options.store.listExpiryNotices();
    let count = 0;
    for (const d of due) {
      const previous = sent.get(d.cluster.name);
      if (previous === d.notice) continue;
      const recipients = d.cluster.owner
        ? [d.cluster.owner]
        : this.options.settings.fallbackRecipients;
      if (!recipients.length) continue;
      // Claimed before sending, so that overlapping sweeps send it once; given
      // back if sending fails, so that the next sweep tries again.
      const { store } = this.options;
      if (!(await store.claimExpiryNotice(d.cluster.name, d.notice, previous)))
        continue;
      try {
        await withTimeout(
          this.options.notifications.send({
            recipients: { type: 'entity', entityRef: recipients },
            payload: payloadOf(d.cluster, d.warning),
          }),
          SEND_TIMEOUT_MS,
        );
        count++;
      } catch (error) {
        await store.claimExpiryNotice(d.cluster.name, previous, d.notice);
        // Tried again at every sweep, said once per notice and replica.
        const key = `${d.cluster.name}|${d.notice}`;
        if (!this.warned.has(key)) {
          this.warned.add(key);
          this.options.logger.warn(
            `could not send the credential-expiry notification of cluster ${d.cluster.name} (is the notifications backend installed?): ${error}`,
          );
        }
      }
    }
    return count;
  }
}

function payloadOf(cluster: ClusterRecord, w: CredentialExpiryWarning) {
  return {
    title: w.expired
      ? `The credentials of cluster ${cluster.title} have expired`
      : `The credentials of cluster ${cluster.title} expire ${expiresIn(w)}`,
    description: `The ${w.credential} the portal uses for ${cluster.name} ${
      w.expired ? 'expired' : 'expires'
    } on ${w.expiresAt}. ${
      w.expired
        ? 'The portal no longer reaches the cluster: rotate the credentials.'
        : 'Rotate the credentials before then.'
    }`,
    link: `/clusters/${encodeURIComponent(cluster.name)}`,
    severity: w.expired ? ('critical' as const) : ('high' as const),
    topic: 'cluster-registry',
    scope: `cluster-registry:credential-expiry:${cluster.name}`,
  };
}
