// @ts-check

/**
 * Requests to create a cluster at a provider (EKS) or delete one there: a
 * persisted state machine the scheduled provisioning task advances one step
 * at a time, holding a lease per request.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('provisioning_requests', table => {
    table.comment(
      'Creating or deleting a cluster at a provider, step by step (resumable)',
    );
    table.string('id', 36).primary().notNullable().comment('UUID');
    table
      .string('cluster', 63)
      .notNullable()
      .comment('The cluster name (registry and provider)');
    table.string('provider', 63).notNullable().comment('Provisioner id (eks)');
    table.string('operation', 16).notNullable().comment('create or delete');
    table
      .string('state', 16)
      .notNullable()
      .comment('running, succeeded or failed');
    table.string('current_step', 63).nullable().comment('Step being run');
    table
      .text('steps')
      .notNullable()
      .comment('JSON: the planned steps with state, times, message, error');
    table.text('spec').notNullable().comment('JSON: the validated spec');
    table
      .text('resources')
      .notNullable()
      .comment('JSON: ids of what the provider created so far');
    table.text('outputs').nullable().comment('JSON: endpoint, ARN, issuer');
    table
      .text('registration')
      .nullable()
      .comment('JSON: where the registry reaches the cluster (no secret)');
    table
      .string('idempotency_key', 200)
      .nullable()
      .unique()
      .comment('A retried submit with this key answers with this request');
    table
      .integer('attempts')
      .notNullable()
      .defaultTo(0)
      .comment('Runs of the current step so far');
    table
      .timestamp('next_check_at', { useTz: true })
      .notNullable()
      .comment('When the task runs the current step next');
    table
      .timestamp('lease_until', { useTz: true })
      .nullable()
      .comment('A backend runs a step of this request until then');
    table.string('lease_owner', 64).nullable().comment('Which run holds it');
    table.string('created_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.index(['state', 'next_check_at'], 'provisioning_due');
    table.index(['cluster', 'created_at'], 'provisioning_by_cluster');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('provisioning_requests');
};
