// @ts-check
const { X509Certificate } = require('node:crypto');

/**
 * Gives clusters registered before credential expiry was read the expiry of
 * their client certificate (stored in clear, unlike tokens, which get theirs
 * when they are next set). A certificate that cannot be read is left alone.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  const rows = await knex('clusters')
    .whereNotNull('auth')
    .select('name', 'auth');
  for (const row of rows) {
    let auth;
    try {
      auth = JSON.parse(row.auth);
    } catch {
      continue;
    }
    if (auth?.type !== 'clientCertificate' || auth.expiresAt || !auth.certData)
      continue;
    let expiresAt;
    try {
      const at = new Date(
        new X509Certificate(Buffer.from(auth.certData, 'base64')).validTo,
      );
      if (Number.isNaN(at.getTime())) continue;
      expiresAt = at.toISOString();
    } catch {
      continue;
    }
    await knex('clusters')
      .where({ name: row.name })
      .update({ auth: JSON.stringify({ ...auth, expiresAt }) });
  }
};

/**
 * Nothing to undo: an older version ignores `expiresAt`.
 *
 * @param {import('knex').Knex} _knex
 */
exports.down = async function down(_knex) {};
