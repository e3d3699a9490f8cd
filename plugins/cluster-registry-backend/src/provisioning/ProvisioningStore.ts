import { Knex } from 'knex';
import type {
  ProvisioningOutputs,
  ProvisioningRequest,
  ProvisioningStep,
} from '@cluster-registry/plugin-cluster-registry-common';
import type {
  ProvisionedResources,
  ProvisionerKubeTarget,
} from '@cluster-registry/plugin-cluster-registry-node';

/** A request as the backend keeps it: the view plus what steps record. */
export interface ProvisioningRecord extends ProvisioningRequest {
  resources: ProvisionedResources;
  registration?: ProvisionerKubeTarget;
  idempotencyKey?: string;
  attempts: number;
  nextCheckAt: string;
}

interface RequestRow {
  id: string;
  cluster: string;
  provider: string;
  operation: string;
  state: string;
  current_step: string | null;
  steps: string;
  spec: string;
  resources: string;
  outputs: string | null;
  registration: string | null;
  idempotency_key: string | null;
  attempts: number;
  next_check_at: Date | string;
  lease_until: Date | string | null;
  lease_owner: string | null;
  created_by: string;
  created_at: Date | string;
  updated_at: Date | string;
}

/** What a step's run changes in its request. */
export interface ProvisioningChanges {
  state?: ProvisioningRecord['state'];
  currentStep?: string | null;
  steps?: ProvisioningStep[];
  resources?: ProvisionedResources;
  outputs?: ProvisioningOutputs;
  registration?: ProvisionerKubeTarget;
  attempts?: number;
  nextCheckAt?: Date;
}

const TABLE = 'provisioning_requests';
const iso = (v: Date | string) => new Date(v).toISOString();
const json = <T>(v: string | null): T | undefined =>
  v === null ? undefined : (JSON.parse(v) as T);

/**
 * The provisioning requests in the plugin's database. A run of the
 * scheduled task claims a due request with a lease (a conditional update,
 * so two backends never run the same request at once, even when one's task
 * outlives its schedule) and writes its changes only while it holds it.
 */
export class ProvisioningStore {
  constructor(private readonly db: Knex) {}

  private toRecord(row: RequestRow): ProvisioningRecord {
    return {
      id: row.id,
      cluster: row.cluster,
      provider: row.provider,
      operation: row.operation as ProvisioningRecord['operation'],
      state: row.state as ProvisioningRecord['state'],
      currentStep: row.current_step ?? undefined,
      steps: JSON.parse(row.steps),
      spec: JSON.parse(row.spec),
      resources: JSON.parse(row.resources),
      outputs: json(row.outputs),
      registration: json(row.registration),
      idempotencyKey: row.idempotency_key ?? undefined,
      attempts: row.attempts,
      nextCheckAt: iso(row.next_check_at),
      createdBy: row.created_by,
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
    };
  }

  /** Inserts a request, inside the caller's transaction when given. */
  async insert(record: ProvisioningRecord, tx: Knex = this.db): Promise<void> {
    const row: RequestRow = {
      id: record.id,
      cluster: record.cluster,
      provider: record.provider,
      operation: record.operation,
      state: record.state,
      current_step: record.currentStep ?? null,
      steps: JSON.stringify(record.steps),
      spec: JSON.stringify(record.spec ?? {}),
      resources: JSON.stringify(record.resources),
      outputs: record.outputs ? JSON.stringify(record.outputs) : null,
      registration: record.registration
        ? JSON.stringify(record.registration)
        : null,
      idempotency_key: record.idempotencyKey ?? null,
      attempts: record.attempts,
      next_check_at: new Date(record.nextCheckAt),
      lease_until: null,
      lease_owner: null,
      created_by: record.createdBy,
      created_at: new Date(record.createdAt),
      updated_at: new Date(record.updatedAt),
    };
    await tx(TABLE).insert(row);
  }

  /**
   * Inserts a request unless the cluster has one running, with the cluster's
   * row locked meanwhile: two clicks, or a retry racing a delete, never run
   * two requests of one cluster at once. False if one is running.
   */
  async insertExclusive(record: ProvisioningRecord): Promise<boolean> {
    return this.db.transaction(async tx => {
      await tx('clusters').where({ name: record.cluster }).forUpdate().first();
      const running = await tx<RequestRow>(TABLE)
        .where({ cluster: record.cluster, state: 'running' })
        .first('id');
      if (running) return false;
      await this.insert(record, tx);
      return true;
    });
  }

  async get(id: string): Promise<ProvisioningRecord | undefined> {
    const row = await this.db<RequestRow>(TABLE).where({ id }).first();
    return row && this.toRecord(row);
  }

  /** The cluster's latest request (create or delete). */
  async latestFor(
    cluster: string,
    tx: Knex = this.db,
  ): Promise<ProvisioningRecord | undefined> {
    const row = await tx<RequestRow>(TABLE)
      .where({ cluster })
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .first();
    return row && this.toRecord(row);
  }

  async byIdempotencyKey(key: string): Promise<ProvisioningRecord | undefined> {
    const row = await this.db<RequestRow>(TABLE)
      .where({ idempotency_key: key })
      .first();
    return row && this.toRecord(row);
  }

  /** Ids of running requests whose next check is due and that no live run holds. */
  async due(now: Date, limit: number): Promise<string[]> {
    const rows = await this.db<RequestRow>(TABLE)
      .where({ state: 'running' })
      .andWhere('next_check_at', '<=', now)
      .andWhere(q =>
        q.whereNull('lease_until').orWhere('lease_until', '<', now),
      )
      .orderBy('next_check_at')
      .limit(limit)
      .select('id');
    return rows.map(r => r.id);
  }

  /** Takes the lease of a due request; undefined if another run has it. */
  async claim(
    id: string,
    owner: string,
    leaseMs: number,
  ): Promise<ProvisioningRecord | undefined> {
    const now = new Date();
    const claimed = await this.db<RequestRow>(TABLE)
      .where({ id, state: 'running' })
      .andWhere(q =>
        q.whereNull('lease_until').orWhere('lease_until', '<', now),
      )
      .update({
        lease_owner: owner,
        lease_until: new Date(now.getTime() + leaseMs),
      });
    if (!claimed) return undefined;
    return this.get(id);
  }

  /**
   * Writes a run's changes and gives up the lease; false if the lease was
   * lost meanwhile (it ran out and another run took the request), and then
   * nothing is written.
   */
  async save(
    id: string,
    owner: string,
    changes: ProvisioningChanges,
    /** Keep the lease for this long more (the run goes on), instead of giving it up. */
    keepForMs?: number,
  ): Promise<boolean> {
    const update: Partial<RequestRow> = { updated_at: new Date() };
    if (changes.state) update.state = changes.state;
    if (changes.currentStep !== undefined)
      update.current_step = changes.currentStep;
    if (changes.steps) update.steps = JSON.stringify(changes.steps);
    if (changes.resources) update.resources = JSON.stringify(changes.resources);
    if (changes.outputs) update.outputs = JSON.stringify(changes.outputs);
    if (changes.registration)
      update.registration = JSON.stringify(changes.registration);
    if (changes.attempts !== undefined) update.attempts = changes.attempts;
    if (changes.nextCheckAt) update.next_check_at = changes.nextCheckAt;
    if (keepForMs === undefined) {
      update.lease_owner = null;
      update.lease_until = null;
    } else {
      update.lease_until = new Date(Date.now() + keepForMs);
    }
    const written = await this.db<RequestRow>(TABLE)
      .where({ id, lease_owner: owner })
      .update(update);
    return written > 0;
  }

  /**
   * Sets a failed request running again from its failed step (no lease is
   * needed: nothing runs a failed request).
   */
  async restart(
    id: string,
    cluster: string,
    steps: ProvisioningStep[],
    currentStep: string,
  ): Promise<boolean> {
    return this.db.transaction(async tx => {
      await tx('clusters').where({ name: cluster }).forUpdate().first();
      const running = await tx<RequestRow>(TABLE)
        .where({ cluster, state: 'running' })
        .first('id');
      if (running) return false;
      const written = await tx<RequestRow>(TABLE)
        .where({ id, state: 'failed' })
        .update({
          state: 'running',
          steps: JSON.stringify(steps),
          current_step: currentStep,
          attempts: 0,
          next_check_at: new Date(),
          updated_at: new Date(),
        });
      return written > 0;
    });
  }
}
