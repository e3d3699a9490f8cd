// @ts-check

/**
 * Stores every owner as a full, lower-case entity reference
 * (`group:default/qa`), the form the catalog gives a user's ownership
 * claims, so that the IS_CLUSTER_OWNER permission rule (in memory and as a
 * where clause) compares like with like. Owners were validated as
 * `kind:[namespace/]name` when written; one that is not is left alone.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  const rows = await knex('clusters')
    .whereNotNull('owner')
    .select('name', 'owner');
  for (const row of rows) {
    const match = /^([^:/]+):(?:([^:/]+)\/)?([^:/]+)$/.exec(row.owner);
    if (!match) continue;
    const [, kind, namespace, name] = match;
    const ref = `${kind}:${namespace ?? 'default'}/${name}`.toLocaleLowerCase(
      'en-US',
    );
    if (ref !== row.owner)
      await knex('clusters').where({ name: row.name }).update({ owner: ref });
  }
};

/**
 * Nothing to undo: a full reference is what the owner field always allowed.
 *
 * @param {import('knex').Knex} _knex
 */
exports.down = async function down(_knex) {};
