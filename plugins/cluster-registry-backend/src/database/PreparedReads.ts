import { Knex } from 'knex';
import crypto from 'node:crypto';

/** Statements kept per connection (one per query shape; shapes are few). */
const MAX_STATEMENTS = 200;

interface SqliteStatement {
  all(...bindings: unknown[]): unknown[];
}
interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}
interface PgConnection {
  query(query: {
    name: string;
    text: string;
    values: unknown[];
  }): Promise<{ rows: unknown[] }>;
}

/**
 * Runs the store's hot reads (a cluster by name, a page of a list and its
 * count) as prepared statements of the driver. knex still builds the SQL;
 * the driver keeps each distinct statement parsed and planned per connection
 * instead of preparing it again on every call: better-sqlite3 statements are
 * cached here, PostgreSQL ones are named (node-postgres prepares a name once
 * per connection). Other databases go through knex as usual.
 */
export class PreparedReads {
  private readonly sqliteStatements = new WeakMap<
    object,
    Map<string, SqliteStatement>
  >();
  private readonly pgNames = new Map<string, string>();
  private readonly client: 'sqlite' | 'pg' | 'other';

  constructor(private readonly db: Knex) {
    const name = String(db.client.config.client);
    if (name === 'better-sqlite3') this.client = 'sqlite';
    else if (name === 'pg') this.client = 'pg';
    else this.client = 'other';
  }

  /** The rows of a select built with knex. */
  async rows<T>(query: Knex.QueryBuilder): Promise<T[]> {
    if (this.client === 'other') return (await query) as T[];
    const { sql, bindings } = query.toSQL().toNative();
    const connection = await this.db.client.acquireConnection();
    try {
      if (this.client === 'sqlite') {
        return this.sqliteStatement(connection, sql).all(
          ...bindings.map(toSqliteValue),
        ) as T[];
      }
      const result = await (connection as PgConnection).query({
        name: this.pgName(sql),
        text: sql,
        values: bindings as unknown[],
      });
      return result.rows as T[];
    } finally {
      await this.db.client.releaseConnection(connection);
    }
  }

  private pgName(sql: string) {
    let name = this.pgNames.get(sql);
    if (!name) {
      if (this.pgNames.size >= MAX_STATEMENTS) this.pgNames.clear();
      name = `cluster_registry_${crypto
        .createHash('sha1')
        .update(sql)
        .digest('hex')}`;
      this.pgNames.set(sql, name);
    }
    return name;
  }

  private sqliteStatement(connection: SqliteConnection, sql: string) {
    let statements = this.sqliteStatements.get(connection);
    if (!statements) {
      statements = new Map();
      this.sqliteStatements.set(connection, statements);
    }
    let statement = statements.get(sql);
    if (!statement) {
      if (statements.size >= MAX_STATEMENTS) statements.clear();
      statement = connection.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  }
}

/** As knex binds for better-sqlite3, which takes neither booleans nor dates. */
function toSqliteValue(value: unknown) {
  if (value instanceof Date) return value.valueOf();
  if (typeof value === 'boolean') return Number(value);
  return value;
}
