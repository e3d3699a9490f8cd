// @ts-check

/**
 * The latest health checks of each cluster (state and latency), kept on the
 * cluster's row as a short JSON list, for the list page's trend column. On
 * the row, it goes when the cluster goes, and a list page reads it with the
 * page's clusters in one query.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('clusters', table => {
    table.text('health_trend').nullable();
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('clusters', table => {
    table.dropColumn('health_trend');
  });
};
