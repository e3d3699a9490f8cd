// @ts-check

/**
 * Lists are ordered by name and usually filtered by category or state: with
 * (category, name) and (state, name) the database reads just the page from
 * the index instead of sorting every matching cluster.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('clusters', table => {
    table.dropIndex(['category'], 'clusters_category_idx');
    table.dropIndex(['state'], 'clusters_state_idx');
    table.index(['category', 'name'], 'clusters_category_name_idx');
    table.index(['state', 'name'], 'clusters_state_name_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('clusters', table => {
    table.dropIndex(['category', 'name'], 'clusters_category_name_idx');
    table.dropIndex(['state', 'name'], 'clusters_state_name_idx');
    table.index(['category'], 'clusters_category_idx');
    table.index(['state'], 'clusters_state_idx');
  });
};
