// @ts-check

/**
 * The default categories, created once on first start. Admins may edit or
 * delete them afterwards; later starts do not bring them back.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  const now = new Date();
  await knex('categories').insert([
    {
      name: 'prod',
      description: 'Production',
      color: '#d32f2f',
      created_at: now,
    },
    {
      name: 'staging',
      description: 'Staging, pre-production',
      color: '#f57c00',
      created_at: now,
    },
    {
      name: 'qa',
      description: 'Quality assurance and testing',
      color: '#7b1fa2',
      created_at: now,
    },
    {
      name: 'dev',
      description: 'Development',
      color: '#388e3c',
      created_at: now,
    },
  ]);
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex('categories')
    .whereIn('name', ['prod', 'staging', 'qa', 'dev'])
    .delete();
};
