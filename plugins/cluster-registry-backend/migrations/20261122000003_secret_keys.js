// @ts-check

/**
 * Which secrets a cluster has (names such as "token", never values), so that
 * listing clusters does not decrypt every secret just to say "set".
 * Rows written before this migration have null here; the store fills them in
 * at startup (it decrypts those rows once to name their secrets).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('clusters', table => {
    table
      .text('secret_keys')
      .nullable()
      .comment('JSON array of the names of the stored secrets (no values)');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('clusters', table => {
    table.dropColumn('secret_keys');
  });
};
