import { PermissionCriteria } from '@backstage/plugin-permission-common';
import {
  isAndCriteria,
  isNotCriteria,
  isOrCriteria,
} from '@backstage/plugin-permission-node';
import { ClusterPermissionQuery } from '@cluster-registry/plugin-cluster-registry-node';
import { Knex } from 'knex';

/** Which SQL dialect the label rule is written in. */
export type LabelDialect = 'sqlite' | 'pg' | 'other';

export function labelDialectOf(db: Knex): LabelDialect {
  const client = String(db.client.config.client);
  if (client.includes('sqlite')) return 'sqlite';
  if (client === 'pg' || client.includes('postgres')) return 'pg';
  return 'other';
}

/** A label key as a JSON path segment; undefined if it cannot be one. */
function jsonPathOf(label: string): string | undefined {
  // Kubernetes label keys are [A-Za-z0-9._/-]: a quote or backslash cannot
  // be a label, so such a rule matches nothing rather than being escaped.
  return /^[A-Za-z0-9._/-]{1,317}$/.test(label) ? `$."${label}"` : undefined;
}

function whereRule(
  qb: Knex.QueryBuilder,
  rule: ClusterPermissionQuery,
  dialect: LabelDialect,
) {
  // Each rule is true or false, never NULL (a cluster without an owner,
  // category or the label), so that `not` means what it means in memory.
  switch (rule.field) {
    case 'category':
      return qb.whereNotNull('category').whereIn('category', rule.values);
    case 'owner':
      return qb.whereNotNull('owner').whereIn('owner', rule.values);
    case 'label': {
      const path = jsonPathOf(rule.label);
      if (!path) return qb.whereRaw('1 = 0');
      if (dialect === 'other')
        throw new Error(
          'the HAS_LABEL rule needs SQLite or PostgreSQL as the registry database',
        );
      const [expr, key] =
        dialect === 'sqlite'
          ? ['json_extract(labels, ?)', path]
          : ['(labels::jsonb ->> ?)', rule.label];
      return rule.value === undefined
        ? qb.whereRaw(`${expr} is not null`, [key])
        : qb.whereRaw(`(${expr} is not null and ${expr} = ?)`, [
            key,
            key,
            rule.value,
          ]);
    }
    default:
      // A rule added by another module without a query of ours.
      throw new Error(
        `unknown cluster permission query ${JSON.stringify(rule)}`,
      );
  }
}

/**
 * Adds a policy's conditions to a query of the clusters table as one where
 * clause (allOf → and, anyOf → or, not → not), so the database returns, and
 * counts, only the clusters the caller may see.
 */
export function wherePermitted(
  qb: Knex.QueryBuilder,
  criteria: PermissionCriteria<ClusterPermissionQuery>,
  dialect: LabelDialect,
): Knex.QueryBuilder {
  if (isAndCriteria(criteria)) {
    for (const inner of criteria.allOf)
      qb.where(sub => {
        wherePermitted(sub, inner, dialect);
      });
    return qb;
  }
  if (isOrCriteria(criteria)) {
    if (!criteria.anyOf.length) return qb.whereRaw('1 = 0');
    return qb.where(outer => {
      for (const inner of criteria.anyOf)
        outer.orWhere(sub => {
          wherePermitted(sub, inner, dialect);
        });
    });
  }
  if (isNotCriteria(criteria)) {
    return qb.whereNot(sub => {
      wherePermitted(sub, criteria.not, dialect);
    });
  }
  return whereRule(qb, criteria, dialect);
}
