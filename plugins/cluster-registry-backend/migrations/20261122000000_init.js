// @ts-check

/**
 * Categories and clusters.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('categories', table => {
    table.comment(
      'Admin-managed categories clusters are organised by (prod, staging, qa, dev, ...)',
    );
    table
      .string('name', 63)
      .primary()
      .notNullable()
      .comment('Unique lowercase name');
    table.text('description').nullable().comment('What the category means');
    table.string('color', 7).nullable().comment('CSS colour #rrggbb for chips');
    table
      .timestamp('created_at', { useTz: true })
      .notNullable()
      .comment('When the category was created');
  });

  await knex.schema.createTable('clusters', table => {
    table.comment('Kubernetes clusters registered in the portal');
    table
      .string('name', 63)
      .primary()
      .notNullable()
      .comment('Unique, immutable DNS-1123 label');
    table.string('title', 200).notNullable().comment('Display name');
    table.text('description').nullable().comment('Free text');
    table
      .string('category', 63)
      .nullable()
      .references('name')
      .inTable('categories')
      .onDelete('RESTRICT')
      .comment('Category name; a category in use cannot be deleted');
    table
      .text('labels')
      .notNullable()
      .comment('JSON object of Kubernetes-style labels');
    table
      .string('owner', 255)
      .nullable()
      .comment('Catalog entity ref of the owning user or group');
    table
      .boolean('isolated')
      .notNullable()
      .defaultTo(false)
      .comment('Air-gapped record with no endpoint; never probed');
    table
      .string('server_url', 2048)
      .nullable()
      .comment('https URL of the API server');
    table
      .text('auth')
      .nullable()
      .comment('JSON: auth type and non-secret metadata');
    table
      .text('tls')
      .notNullable()
      .comment('JSON: CA data and insecure-skip-verify');
    table
      .text('connection')
      .notNullable()
      .comment('JSON: connection method and non-secret settings');
    table
      .text('prometheus')
      .nullable()
      .comment('JSON: Prometheus endpoint and non-secret settings');
    table
      .text('secrets')
      .nullable()
      .comment(
        'AES-256-GCM encrypted JSON of every secret (token, keys, passwords)',
      );
    table
      .text('origin')
      .notNullable()
      .comment(
        'JSON: registered, or provisioned by the portal (provider details)',
      );
    table
      .string('state', 32)
      .notNullable()
      .comment('Health state: pending, running, unreachable, ...');
    table.text('state_message').nullable().comment('Reason for the state');
    table
      .timestamp('checked_at', { useTz: true })
      .nullable()
      .comment('Time of the last health check');
    table
      .string('kubernetes_version', 64)
      .nullable()
      .comment('gitVersion reported by the API server');
    table.integer('node_count').nullable().comment('Nodes at the last check');
    table
      .string('permission_level', 16)
      .nullable()
      .comment('What the credentials may do: admin, read, none');
    table
      .timestamp('created_at', { useTz: true })
      .notNullable()
      .comment('Registration time');
    table
      .timestamp('updated_at', { useTz: true })
      .notNullable()
      .comment('Last change of the record');
    table
      .string('created_by', 255)
      .notNullable()
      .comment('Entity ref of the user (or service) that registered it');
    table
      .string('updated_by', 255)
      .notNullable()
      .comment('Entity ref of the last editor');
    table.index(['category'], 'clusters_category_idx');
    table.index(['state'], 'clusters_state_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('clusters');
  await knex.schema.dropTable('categories');
};
