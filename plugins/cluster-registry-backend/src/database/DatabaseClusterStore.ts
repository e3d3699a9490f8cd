import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { Category } from '@cluster-registry/plugin-cluster-registry-common';
import { Knex } from 'knex';
import { SecretBox } from '../secrets/SecretBox';
import { PreparedReads } from './PreparedReads';
import {
  LabelDialect,
  labelDialectOf,
  wherePermitted,
} from './permissionFilter';
import {
  ClusterChanges,
  ClusterFilter,
  ClusterRecord,
  ClusterRecordWithSecrets,
  ClusterSecrets,
  ClusterStore,
  NewClusterRecord,
  HealthSample,
  ListClustersOptions,
  StoredStatus,
} from './types';
import { LIFECYCLE_STATES, LifecycleState } from './types';
import { fieldError } from '../service/errors';

/** Health checks kept per cluster for its trend. */
const HEALTH_TREND_LENGTH = 30;

function parseTrend(text: string | null | undefined): HealthSample[] {
  if (!text) return [];
  try {
    const parsed = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

/**
 * The trend with the check this status records appended, as stored. A status
 * that records no check (no checkedAt: unchecked, isolated) adds nothing.
 */
function appendSample(
  trend: string | null | undefined,
  status: StoredStatus,
  latencyMs?: number,
): string | null {
  if (!status.checkedAt) return trend ?? null;
  const sample: HealthSample = {
    at: status.checkedAt,
    state: status.state,
    ...(latencyMs !== undefined && { latencyMs }),
  };
  return JSON.stringify(
    [...parseTrend(trend), sample].slice(-HEALTH_TREND_LENGTH),
  );
}

const migrationsDir = resolvePackagePath(
  '@cluster-registry/plugin-cluster-registry-backend',
  'migrations',
);

interface ClusterRow {
  name: string;
  title: string;
  description: string | null;
  category: string | null;
  labels: string;
  owner: string | null;
  isolated: boolean | number;
  server_url: string | null;
  auth: string | null;
  tls: string;
  connection: string;
  prometheus: string | null;
  secrets: string | null;
  secret_keys?: string | null;
  origin: string;
  state: string;
  state_message: string | null;
  checked_at: Date | string | null;
  kubernetes_version: string | null;
  node_count: number | null;
  permission_level: string | null;
  health_trend?: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  created_by: string;
  updated_by: string;
}

/** Every column but the encrypted secrets: what pages of a list read. */
const LIST_COLUMNS: string[] = [
  'name',
  'title',
  'description',
  'category',
  'labels',
  'owner',
  'isolated',
  'server_url',
  'auth',
  'tls',
  'connection',
  'prometheus',
  'secret_keys',
  'origin',
  'state',
  'state_message',
  'checked_at',
  'kubernetes_version',
  'node_count',
  'permission_level',
  'created_at',
  'updated_at',
  'created_by',
  'updated_by',
] as const;

interface CategoryRow {
  name: string;
  description: string | null;
  color: string | null;
  created_at: Date | string;
}

const iso = (value: Date | string) => new Date(value).toISOString();
const orUndefined = <T>(value: T | null): T | undefined =>
  value === null ? undefined : value;

function isUniqueViolation(e: any) {
  return (
    e?.code === '23505' ||
    /UNIQUE constraint failed|SQLITE_CONSTRAINT_PRIMARYKEY/.test(
      String(e?.message ?? e?.code),
    )
  );
}
function isForeignKeyViolation(e: any) {
  return (
    e?.code === '23503' ||
    /FOREIGN KEY constraint failed/.test(String(e?.message))
  );
}

/** Clusters and categories in the plugin's database (SQLite or PostgreSQL). */
export class DatabaseClusterStore implements ClusterStore {
  static async create(options: {
    database: DatabaseService;
    secrets: SecretBox;
  }) {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    const store = new DatabaseClusterStore(client, options.secrets);
    await store.backfillSecretKeys();
    return store;
  }

  /**
   * Rows written before the secret_keys column name their secrets nowhere
   * but inside the ciphertext; name them once, so that views (which never
   * decrypt) say "set" for them too. A row this key cannot open is left for
   * `reencrypt-secrets` and the health check to report.
   */
  private async backfillSecretKeys() {
    const rows: Array<{ name: string; secrets: string }> = await this.db(
      'clusters',
    )
      .whereNotNull('secrets')
      .whereNull('secret_keys')
      .select('name', 'secrets');
    for (const row of rows) {
      let keys: string[];
      try {
        keys = Object.keys(JSON.parse(this.box.decrypt(row.secrets))).sort();
      } catch {
        continue;
      }
      await this.db('clusters')
        .where({ name: row.name, secrets: row.secrets })
        .whereNull('secret_keys')
        .update({ secret_keys: JSON.stringify(keys) });
    }
  }

  private readonly reads: PreparedReads;
  private readonly dialect: LabelDialect;

  private constructor(
    private readonly db: Knex,
    private readonly box: SecretBox,
  ) {
    this.reads = new PreparedReads(db);
    this.dialect = labelDialectOf(db);
  }

  /**
   * Rewrites every stored secret that is not under the current encryption
   * key (older key or format), one row at a time with compare-and-swap, so
   * replicas may keep running. Afterwards previous keys can be removed.
   */
  async reencryptSecrets(): Promise<{
    checked: number;
    rewritten: number;
    /** Rows still not under the current key afterwards (changed meanwhile by a replica on an older key). */
    stale: number;
  }> {
    let checked = 0;
    let rewritten = 0;
    let after = '';
    for (;;) {
      const rows: Array<{ name: string; secrets: string }> = await this.db(
        'clusters',
      )
        .whereNotNull('secrets')
        .andWhere('name', '>', after)
        .orderBy('name')
        .limit(200)
        .select('name', 'secrets');
      if (!rows.length) break;
      for (const row of rows) {
        checked++;
        if (!this.box.isStale(row.secrets)) continue;
        const sealed = this.box.encrypt(this.box.decrypt(row.secrets));
        const updated = await this.db('clusters')
          .where({ name: row.name, secrets: row.secrets })
          .update({ secrets: sealed });
        // 0: changed meanwhile by a replica, which wrote it under its key.
        if (updated) rewritten++;
      }
      after = rows[rows.length - 1].name;
    }
    const rows: Array<{ secrets: string }> = await this.db('clusters')
      .whereNotNull('secrets')
      .select('secrets');
    const stale = rows.filter(r => this.box.isStale(r.secrets)).length;
    return { checked, rewritten, stale };
  }

  // ── mapping between rows and records, in one place ──────────────────────
  private toRecord(row: Omit<ClusterRow, 'secrets'>): ClusterRecord {
    return {
      name: row.name,
      title: row.title,
      description: orUndefined(row.description),
      category: orUndefined(row.category),
      labels: JSON.parse(row.labels),
      owner: orUndefined(row.owner),
      isolated: Boolean(row.isolated),
      serverUrl: orUndefined(row.server_url),
      auth: row.auth ? JSON.parse(row.auth) : undefined,
      tls: JSON.parse(row.tls),
      connection: JSON.parse(row.connection),
      prometheus: row.prometheus ? JSON.parse(row.prometheus) : undefined,
      secretKeys: row.secret_keys ? JSON.parse(row.secret_keys) : [],
      origin: JSON.parse(row.origin),
      status: {
        state: row.state as StoredStatus['state'],
        message: orUndefined(row.state_message),
        checkedAt: row.checked_at ? iso(row.checked_at) : undefined,
        kubernetesVersion: orUndefined(row.kubernetes_version),
        nodeCount: orUndefined(row.node_count),
        permissionLevel: orUndefined(
          row.permission_level,
        ) as StoredStatus['permissionLevel'],
      },
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
      createdBy: row.created_by,
      updatedBy: row.updated_by,
    };
  }

  /**
   * A record with its secrets decrypted, for the few callers that dial the
   * cluster. The secrets are not enumerable: JSON.stringify, spreads,
   * loggers and Object.keys of the record never see them.
   */
  private toRecordWithSecrets(row: ClusterRow): ClusterRecordWithSecrets {
    const secrets: ClusterSecrets = row.secrets
      ? JSON.parse(this.box.decrypt(row.secrets))
      : {};
    const record = this.toRecord(row);
    // Rows written before the secret_keys column name their secrets here.
    if (!row.secret_keys)
      record.secretKeys = Object.keys(secrets) as Array<keyof ClusterSecrets>;
    return Object.defineProperty(record, 'secrets', {
      enumerable: false,
      value: secrets,
    }) as ClusterRecordWithSecrets;
  }

  /** The encrypted secrets and, in clear, the names of those present. */
  private sealSecrets(
    secrets: ClusterSecrets,
  ): Pick<ClusterRow, 'secrets' | 'secret_keys'> {
    const present = Object.fromEntries(
      Object.entries(secrets).filter(([, v]) => v !== undefined),
    );
    const keys = Object.keys(present).sort();
    return {
      secrets: keys.length ? this.box.encrypt(JSON.stringify(present)) : null,
      secret_keys: JSON.stringify(keys),
    };
  }

  private statusColumns(status: StoredStatus) {
    return {
      state: status.state,
      state_message: status.message ?? null,
      checked_at: status.checkedAt ? new Date(status.checkedAt) : null,
      kubernetes_version: status.kubernetesVersion ?? null,
      node_count: status.nodeCount ?? null,
      permission_level: status.permissionLevel ?? null,
    };
  }

  private toRow(r: NewClusterRecord): ClusterRow {
    return {
      name: r.name,
      title: r.title,
      description: r.description ?? null,
      category: r.category ?? null,
      labels: JSON.stringify(r.labels),
      owner: r.owner ?? null,
      isolated: r.isolated,
      server_url: r.serverUrl ?? null,
      auth: r.auth ? JSON.stringify(r.auth) : null,
      tls: JSON.stringify(r.tls),
      connection: JSON.stringify(r.connection),
      prometheus: r.prometheus ? JSON.stringify(r.prometheus) : null,
      ...this.sealSecrets(r.secrets),
      origin: JSON.stringify(r.origin),
      ...this.statusColumns(r.status),
      // A verified registration's verification is its first health check.
      health_trend: appendSample(null, r.status),
      created_at: r.createdAt ? new Date(r.createdAt) : new Date(),
      updated_at: r.updatedAt ? new Date(r.updatedAt) : new Date(),
      created_by: r.createdBy,
      updated_by: r.updatedBy,
    };
  }

  private async assertCategoryExists(
    tx: Knex,
    category: string | null | undefined,
    field = 'category',
  ) {
    if (!category) return;
    const found = await tx('categories').where({ name: category }).first();
    if (!found) throw fieldError(field, `unknown category '${category}'`);
  }

  // ── clusters ────────────────────────────────────────────────────────────
  async createCluster(
    record: NewClusterRecord,
    within?: (tx: Knex) => Promise<void>,
  ): Promise<ClusterRecord> {
    try {
      await this.db.transaction(async tx => {
        await this.assertCategoryExists(tx, record.category);
        await tx('clusters').insert(this.toRow(record));
        await within?.(tx);
      });
    } catch (e) {
      if (isUniqueViolation(e))
        throw fieldError(
          'name',
          `a cluster named '${record.name}' already exists`,
          ConflictError,
        );
      if (isForeignKeyViolation(e))
        throw fieldError('category', `unknown category '${record.category}'`);
      throw e;
    }
    return this.getCluster(record.name);
  }

  async getCluster(name: string): Promise<ClusterRecord> {
    return this.toRecord(await this.readRow(name, LIST_COLUMNS));
  }

  async getClusterWithSecrets(name: string): Promise<ClusterRecordWithSecrets> {
    return this.toRecordWithSecrets(await this.readRow(name, ['*']));
  }

  private async readRow(name: string, columns: string[]): Promise<ClusterRow> {
    const [row] = await this.reads.rows<ClusterRow>(
      this.db<ClusterRow>('clusters').select(columns).where({ name }).limit(1),
    );
    if (!row)
      throw fieldError('name', `no cluster named '${name}'`, NotFoundError);
    return row;
  }

  private applyFilter(query: Knex.QueryBuilder, options: ClusterFilter) {
    if (options.permitted)
      query.where(sub => {
        wherePermitted(sub, options.permitted!, this.dialect);
      });
    if (options.categories?.length)
      query.whereIn('category', options.categories);
    if (options.states?.length) query.whereIn('state', options.states);
    if (options.q) {
      const like = `%${options.q
        .toLocaleLowerCase('en-US')
        .replace(/[\\%_]/g, m => `\\${m}`)}%`;
      query.where(inner =>
        inner
          .whereRaw("lower(name) like ? escape '\\'", [like])
          .orWhereRaw("lower(title) like ? escape '\\'", [like])
          .orWhereRaw("lower(coalesce(description, '')) like ? escape '\\'", [
            like,
          ])
          .orWhereRaw("lower(coalesce(server_url, '')) like ? escape '\\'", [
            like,
          ]),
      );
    }
    return query;
  }

  async listClusters(options: ListClustersOptions) {
    const after = options.cursor ? decodeCursor(options.cursor) : undefined;
    const page = this.applyFilter(
      this.db<ClusterRow>('clusters').select(LIST_COLUMNS),
      options,
    )
      .orderBy('name')
      .limit(options.limit + 1);
    if (after) page.where('name', '>', after);
    const [rows, [{ count }]] = await Promise.all([
      this.reads.rows<Omit<ClusterRow, 'secrets'>>(page),
      this.reads.rows<{ count: number | string }>(
        this.applyFilter(this.db('clusters').count({ count: '*' }), options),
      ),
    ]);
    const items = (rows as Omit<ClusterRow, 'secrets'>[])
      .slice(0, options.limit)
      .map(r => this.toRecord(r));
    const nextCursor =
      rows.length > options.limit
        ? encodeCursor(items[items.length - 1].name)
        : undefined;
    return { items, nextCursor, totalCount: Number(count) };
  }

  async getClusters(
    names: string[],
  ): Promise<Array<ClusterRecord | undefined>> {
    const found = new Map<string, ClusterRecord>();
    const wanted = [...new Set(names)];
    // Within every database's limit of bound parameters.
    for (let i = 0; i < wanted.length; i += 500) {
      const rows = await this.reads.rows<Omit<ClusterRow, 'secrets'>>(
        this.db<ClusterRow>('clusters')
          .select(LIST_COLUMNS)
          .whereIn('name', wanted.slice(i, i + 500)),
      );
      for (const row of rows) found.set(row.name, this.toRecord(row));
    }
    return names.map(name => found.get(name));
  }

  async listAllClustersWithSecrets(
    options: {
      onUnreadable?: (name: string, error: Error) => void;
      permitted?: ClusterFilter['permitted'];
      /** Only these clusters. */
      names?: string[];
    } = {},
  ): Promise<ClusterRecordWithSecrets[]> {
    const { onUnreadable, names } = options;
    const dialable = this.db<ClusterRow>('clusters')
      .where({ isolated: false })
      .whereNotNull('server_url')
      // Nothing to dial yet, or any more: being created, failed, deleting.
      .whereNotIn('state', LIFECYCLE_STATES);
    if (names) dialable.whereIn('name', names);
    const rows: ClusterRow[] = await this.applyFilter(dialable, {
      permitted: options.permitted,
    }).orderBy('name');
    // One row this key cannot open (sealed under a retired key) costs only
    // that cluster, not the whole sweep or every Kubernetes request.
    return rows.flatMap(r => {
      try {
        return [this.toRecordWithSecrets(r)];
      } catch (error) {
        onUnreadable?.(r.name, error as Error);
        return [];
      }
    });
  }

  async updateCluster(
    name: string,
    changes: ClusterChanges,
  ): Promise<ClusterRecord> {
    await this.db.transaction(async tx => {
      const row = await tx<ClusterRow>('clusters')
        .where({ name })
        .forUpdate()
        .first();
      if (!row)
        throw fieldError('name', `no cluster named '${name}'`, NotFoundError);
      if (changes.category !== undefined)
        await this.assertCategoryExists(tx, changes.category);
      const update: Partial<ClusterRow> = {
        updated_at: new Date(),
        updated_by: changes.updatedBy,
      } as any;
      if (changes.title !== undefined) update.title = changes.title;
      if (changes.description !== undefined)
        update.description = changes.description;
      if (changes.category !== undefined) update.category = changes.category;
      if (changes.labels !== undefined)
        update.labels = JSON.stringify(changes.labels);
      if (changes.owner !== undefined) update.owner = changes.owner;
      if (changes.serverUrl !== undefined)
        update.server_url = changes.serverUrl;
      if (changes.auth !== undefined)
        update.auth = JSON.stringify(changes.auth);
      if (changes.tls !== undefined) update.tls = JSON.stringify(changes.tls);
      if (changes.connection !== undefined)
        update.connection = JSON.stringify(changes.connection);
      if (changes.prometheus !== undefined) {
        update.prometheus =
          changes.prometheus === null
            ? null
            : JSON.stringify(changes.prometheus);
      }
      if (changes.secrets !== undefined) {
        const current: ClusterSecrets = row.secrets
          ? JSON.parse(this.box.decrypt(row.secrets))
          : {};
        Object.assign(
          update,
          this.sealSecrets({ ...current, ...changes.secrets }),
        );
      }
      if (changes.status) {
        Object.assign(update, this.statusColumns(changes.status));
        update.health_trend = appendSample(row.health_trend, changes.status);
      }
      await tx('clusters').where({ name }).update(update);
    });
    return this.getCluster(name);
  }

  async updateStatus(
    name: string,
    status: StoredStatus,
    latencyMs?: number,
  ): Promise<void> {
    await this.updateStatuses([{ name, status, latencyMs }]);
  }

  async updateStatuses(
    checks: Array<{ name: string; status: StoredStatus; latencyMs?: number }>,
  ): Promise<void> {
    if (checks.length === 0) return;
    const now = new Date().toISOString();
    // One transaction for the lot: a sweep's writes cost one commit per
    // batch, not one per cluster.
    await this.db.transaction(async tx => {
      const trends = new Map<string, string | null>();
      for (let i = 0; i < checks.length; i += 500) {
        const rows = await tx('clusters')
          .whereIn(
            'name',
            checks.slice(i, i + 500).map(c => c.name),
          )
          .select('name', 'health_trend', 'state');
        for (const row of rows) {
          // A check that began before the cluster went into a lifecycle
          // state (deleting) does not bring it back.
          if (!LIFECYCLE_STATES.includes(row.state))
            trends.set(row.name, row.health_trend);
        }
      }
      for (const { name, status, latencyMs } of checks) {
        if (!trends.has(name)) continue;
        const checked = { ...status, checkedAt: status.checkedAt ?? now };
        await tx('clusters')
          .where({ name })
          .whereNotIn('state', LIFECYCLE_STATES)
          .update({
            ...this.statusColumns(checked),
            health_trend: appendSample(trends.get(name), checked, latencyMs),
          });
      }
    });
  }

  async listHealthSamples(
    names: string[],
    permitted?: ClusterFilter['permitted'],
  ) {
    const wanted = [...new Set(names)];
    const rows: Array<{ name: string; health_trend: string | null }> = [];
    // Within every database's limit of bound parameters.
    for (let i = 0; i < wanted.length; i += 500) {
      rows.push(
        ...(await this.applyFilter(
          this.db('clusters')
            .whereIn('name', wanted.slice(i, i + 500))
            .select('name', 'health_trend'),
          { permitted },
        )),
      );
    }
    return rows
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map(r => ({ cluster: r.name, samples: parseTrend(r.health_trend) }));
  }

  async listExpiryNotices(): Promise<Map<string, string>> {
    const rows: Array<{ name: string; expiry_notice: string }> = await this.db(
      'clusters',
    )
      .whereNotNull('expiry_notice')
      .select('name', 'expiry_notice');
    return new Map(rows.map(r => [r.name, r.expiry_notice]));
  }

  async claimExpiryNotice(
    name: string,
    notice: string | undefined,
    expected: string | undefined,
  ): Promise<boolean> {
    const query = this.db('clusters').where({ name });
    if (expected === undefined) query.whereNull('expiry_notice');
    else query.where({ expiry_notice: expected });
    return (await query.update({ expiry_notice: notice ?? null })) > 0;
  }

  async setLifecycleState(
    name: string,
    state: LifecycleState,
    message: string,
  ): Promise<LifecycleState | StoredStatus['state'] | undefined> {
    return this.db.transaction(async tx => {
      const row = await tx<ClusterRow>('clusters')
        .where({ name })
        .forUpdate()
        .first('state');
      if (!row) return undefined;
      // Not a health check: the trend is left alone.
      await tx('clusters')
        .where({ name })
        .update({ state, state_message: message, updated_at: new Date() });
      return row.state as StoredStatus['state'];
    });
  }

  async deleteCluster(name: string): Promise<void> {
    const deleted = await this.db('clusters').where({ name }).delete();
    if (!deleted)
      throw fieldError('name', `no cluster named '${name}'`, NotFoundError);
  }

  // ── categories ──────────────────────────────────────────────────────────
  private toCategory(row: CategoryRow): Category {
    return {
      name: row.name,
      description: orUndefined(row.description),
      color: orUndefined(row.color),
    };
  }

  async listCategories(): Promise<Category[]> {
    const rows = await this.db<CategoryRow>('categories').orderBy('name');
    return rows.map(r => this.toCategory(r));
  }

  async createCategory(category: Category): Promise<Category> {
    try {
      await this.db('categories').insert({
        name: category.name,
        description: category.description ?? null,
        color: category.color ?? null,
        created_at: new Date(),
      });
    } catch (e) {
      if (isUniqueViolation(e))
        throw fieldError(
          'name',
          `a category named '${category.name}' already exists`,
          ConflictError,
        );
      throw e;
    }
    return category;
  }

  async updateCategory(
    name: string,
    changes: Omit<Category, 'name'>,
  ): Promise<Category> {
    const update: Partial<CategoryRow> = {};
    if (changes.description !== undefined)
      update.description = changes.description;
    if (changes.color !== undefined) update.color = changes.color;
    const found = await this.db('categories').where({ name }).first();
    if (!found)
      throw fieldError('name', `no category named '${name}'`, NotFoundError);
    if (Object.keys(update).length)
      await this.db('categories').where({ name }).update(update);
    const row = await this.db<CategoryRow>('categories')
      .where({ name })
      .first();
    return this.toCategory(row!);
  }

  async deleteCategory(
    name: string,
    options: { reassignTo?: string | null } = {},
  ): Promise<void> {
    await this.db.transaction(async tx => {
      const found = await tx('categories').where({ name }).first();
      if (!found)
        throw fieldError('name', `no category named '${name}'`, NotFoundError);
      const users = await tx('clusters')
        .where({ category: name })
        .select('name')
        .orderBy('name');
      if (options.reassignTo === name)
        throw fieldError('reassignTo', 'must be another category');
      await this.assertCategoryExists(tx, options.reassignTo, 'reassignTo');
      if (users.length) {
        if (options.reassignTo === undefined) {
          throw fieldError(
            'name',
            `category '${name}' is used by ${users.length} cluster(s): ${users
              .slice(0, 20)
              .map(u => u.name)
              .join(', ')}${
              users.length > 20 ? ', ...' : ''
            }; reassign or clear them in the same request`,
            ConflictError,
          );
        }
        await tx('clusters')
          .where({ category: name })
          .update({ category: options.reassignTo });
      }
      await tx('categories').where({ name }).delete();
    });
  }
}

function encodeCursor(name: string) {
  return Buffer.from(JSON.stringify({ after: name })).toString('base64url');
}

function decodeCursor(cursor: string): string {
  try {
    const parsed = JSON.parse(
      Buffer.from(cursor, 'base64url').toString('utf8'),
    );
    if (typeof parsed.after === 'string') return parsed.after;
  } catch {
    // fall through
  }
  throw fieldError('cursor', 'not a cursor returned by this API');
}
