// @ts-check

/**
 * Which credential-expiry notification was last sent for a cluster (the
 * credential's expiry and the stage: soon or expired), so that each goes out
 * once, whichever replica runs the health sweep and however often.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('clusters', table => {
    table.string('expiry_notice', 255).nullable();
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('clusters', table => {
    table.dropColumn('expiry_notice');
  });
};
