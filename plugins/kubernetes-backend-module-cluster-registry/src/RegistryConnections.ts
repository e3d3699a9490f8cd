import { LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  ClusterConnection,
  ClusterRegistryChange,
  ClusterRegistryService,
} from '@cluster-registry/plugin-cluster-registry-node';

/** Settings of {@link RegistryConnections}. @public */
export interface RegistryConnectionsOptions {
  logger: LoggerService;
  /**
   * How long a read waits for announced changes still being applied before
   * it answers from what it holds (a registry that does not answer must not
   * hold up every Kubernetes request). Default 2 s.
   */
  maxWaitMs?: number;
  /**
   * More changed clusters than this at once are read as one full list
   * rather than one by one. Default 50.
   */
  maxSingleReads?: number;
  /**
   * How long one read of the registry may take before it counts as failed
   * (and is tried again at the next read or event), so a registry that
   * never answers cannot freeze the list. Default 30 s.
   */
  readTimeoutMs?: number;
}

/** The promise, or a rejection once `ms` have passed. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${what}: no answer in ${ms} ms`)),
        ms,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

/** A NotFoundError thrown by the registry client (its own or a deserialized one). */
function isNotFound(error: unknown): boolean {
  return (
    error instanceof NotFoundError ||
    (error as { name?: string })?.name === 'NotFoundError'
  );
}

/**
 * The registry's dialable clusters with their credentials, kept in this
 * process so that the Kubernetes plugin's requests do not each read and
 * decrypt every cluster over HTTP.
 *
 * It is read in full once, then kept by the registry's change events: a
 * changed cluster is read again by name (`getConnection`: gone, isolated or
 * refused, it leaves), a change without a cluster name re-reads everything.
 * A read that finds changes still being applied waits for them (at most
 * `maxWaitMs`), so a cluster is suppliable as soon as its event arrived:
 * on the replica that made the change before the change's POST returned
 * (local events are delivered before it answers), on others as soon as the
 * events bus hands them the event. `reloadAll()` is the consistency check
 * that bounds the staleness if an event was ever lost; the module schedules
 * it.
 *
 * @public
 */
export class RegistryConnections {
  private byName = new Map<string, ClusterConnection>();
  private list: ClusterConnection[] = [];
  private loaded = false;
  private readonly dirty = new Set<string>();
  private fullPending = true;
  private draining?: Promise<void>;
  /** Changes were announced that are not applied yet (not set by the consistency check). */
  private unsettled = false;

  constructor(
    private readonly registry: ClusterRegistryService,
    private readonly options: RegistryConnectionsOptions,
  ) {}

  /** An announced change: applied before the next read answers. */
  changed(change: ClusterRegistryChange): void {
    if (change.cluster) this.dirty.add(change.cluster);
    else this.fullPending = true;
    this.unsettled = true;
    this.drain().catch(() => {});
  }

  /** Reads everything again (the consistency check); resolves once applied. */
  reloadAll(): Promise<void> {
    this.fullPending = true;
    return this.drain();
  }

  /**
   * Every dialable cluster, in name order. The first read waits for the
   * full list and throws if the registry cannot give it; later reads wait
   * for pending changes at most `maxWaitMs` and otherwise answer with what
   * they hold.
   */
  async connections(): Promise<ClusterConnection[]> {
    // A consistency check under way does not hold reads up; changes do.
    if (this.loaded && !this.unsettled) return this.list;
    const drained = this.drain();
    if (!this.loaded) {
      await drained;
    } else {
      // Failed or late: the list as it is.
      const waitMs = this.options.maxWaitMs ?? 2_000;
      await within(drained, waitMs, 'changes').catch(() => {});
    }
    return this.list;
  }

  /**
   * One cluster of the list, without waiting: for code that has just read
   * `connections()` and looks clusters up by name.
   */
  find(name: string): ClusterConnection | undefined {
    return this.byName.get(name);
  }

  /** One loop applies the pending changes; a change heard meanwhile runs it again. */
  private drain(): Promise<void> {
    this.draining ??= this.apply().then(
      () => {
        this.draining = undefined;
        // A change heard as the loop was ending: applied by a new one.
        if (this.fullPending || this.dirty.size > 0)
          this.drain().catch(() => {});
      },
      error => {
        // Left pending: the next read or event tries again.
        this.draining = undefined;
        throw error;
      },
    );
    return this.draining;
  }

  private get timeoutMs() {
    return this.options.readTimeoutMs ?? 30_000;
  }

  private async apply(): Promise<void> {
    const maxSingle = this.options.maxSingleReads ?? 50;
    while (this.fullPending || this.dirty.size > 0) {
      try {
        if (this.fullPending || this.dirty.size > maxSingle) {
          // Changes heard from here on are read again after this list.
          this.fullPending = false;
          this.dirty.clear();
          const all = await within(
            this.registry.listConnections(),
            this.timeoutMs,
            'listing connections',
          ).catch(error => {
            this.fullPending = true;
            throw error;
          });
          this.byName = new Map(all.map(c => [c.name, c]));
          this.loaded = true;
        } else {
          const names = [...this.dirty];
          this.dirty.clear();
          const read = await Promise.allSettled(
            names.map(n => this.readOne(n)),
          );
          const failed = read.find(r => r.status === 'rejected');
          if (failed) throw (failed as PromiseRejectedResult).reason;
        }
      } catch (error) {
        // Left pending: the next read or event tries again.
        this.options.logger.warn(
          `cluster registry: could not read changed clusters: ${error}`,
        );
        throw error;
      } finally {
        this.unsettled =
          this.unsettled && (this.fullPending || this.dirty.size > 0);
        this.list = [...this.byName.values()].sort((a, b) =>
          a.name < b.name ? -1 : 1,
        );
      }
    }
  }

  private async readOne(name: string): Promise<void> {
    try {
      this.byName.set(
        name,
        await within(
          this.registry.getConnection(name),
          this.timeoutMs,
          `reading cluster ${name}`,
        ),
      );
    } catch (error) {
      if (!isNotFound(error)) {
        this.dirty.add(name);
        throw error;
      }
      this.byName.delete(name);
    }
  }
}
