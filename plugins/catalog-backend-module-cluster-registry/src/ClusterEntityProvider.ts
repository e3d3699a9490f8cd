import { clusterEntityRef } from '@cluster-registry/plugin-cluster-registry-common';
import {
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { EventsService } from '@backstage/plugin-events-node';
import { isError } from '@backstage/errors';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import {
  CLUSTER_REGISTRY_EVENTS_TOPIC,
  ClusterRegistryChange,
  ClusterRegistryService,
} from '@cluster-registry/plugin-cluster-registry-node';
import { clusterEntity, ClusterEntityOptions } from './clusterEntity';

/**
 * What keeps the provider in sync: the registry's change events and a full-sync schedule.
 *
 * @public
 */
export interface ClusterEntitySync {
  events: EventsService;
  scheduler: SchedulerService;
  schedule: SchedulerServiceTaskScheduleDefinition;
}

/**
 * Emits a Resource entity per registered cluster: a full mutation on a
 * schedule (reconciliation) and a delta mutation for each change the
 * registry announces (register, edit, disconnect, refresh, state). It
 * subscribes and schedules in `connect()`, once the catalog has handed it a
 * connection, so no event arrives before it can be applied.
 *
 * @public
 */
export class ClusterEntityProvider implements EntityProvider {
  private connection?: EntityProviderConnection;

  constructor(
    private readonly registry: ClusterRegistryService,
    private readonly options: Omit<ClusterEntityOptions, 'locationKey'>,
    private readonly logger: LoggerService,
    private readonly sync?: ClusterEntitySync,
  ) {}

  private readonly locationKey = 'cluster-registry:clusters';

  getProviderName(): string {
    return 'cluster-registry';
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    if (!this.sync) return;
    await this.sync.events.subscribe({
      id: 'catalog-cluster-registry',
      topics: [CLUSTER_REGISTRY_EVENTS_TOPIC],
      onEvent: async event => {
        await this.applyChange(event.eventPayload as ClusterRegistryChange);
      },
    });
    await this.sync.scheduler.scheduleTask({
      id: 'catalog-cluster-registry-full-sync',
      ...this.sync.schedule,
      fn: () => this.fullSync(),
    });
  }

  private entity(c: Parameters<typeof clusterEntity>[0]) {
    return {
      entity: clusterEntity(c, {
        ...this.options,
        locationKey: this.locationKey,
      }),
      locationKey: this.locationKey,
    };
  }

  /** Replaces this provider's entities with the registry's clusters. */
  async fullSync(): Promise<void> {
    if (!this.connection) throw new Error('not connected to the catalog');
    const clusters = await this.registry.listClusters();
    await this.connection.applyMutation({
      type: 'full',
      entities: clusters.map(c => this.entity(c)),
    });
    this.logger.info(`catalog: ${clusters.length} cluster entities in sync`);
  }

  /** Applies one announced change: upsert or remove one entity, or resync. */
  async applyChange(change: ClusterRegistryChange): Promise<void> {
    if (!this.connection) return;
    if (!change.cluster) {
      await this.fullSync();
      return;
    }
    try {
      const cluster = await this.registry.getCluster(change.cluster);
      await this.connection.applyMutation({
        type: 'delta',
        added: [this.entity(cluster)],
        removed: [],
      });
    } catch (e) {
      if (
        !isError(e) ||
        (e as { response?: { status?: number } }).response?.status !== 404
      )
        throw e;
      await this.connection.applyMutation({
        type: 'delta',
        added: [],
        removed: [
          {
            entityRef: clusterEntityRef(change.cluster),
            locationKey: this.locationKey,
          },
        ],
      });
    }
  }
}
