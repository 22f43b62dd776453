/*
 * The change journal of failover steps.
 *
 * - failover_steps.changes: JSON list of the writes a step made (cluster,
 *   object, the fields as they were before, whether the API server accepted
 *   the write, and what a rollback did with it). A rollback undoes exactly
 *   these; one it cannot undo yet because the cluster does not answer stays
 *   `pending` (the step's compensation too) and is repaired by the backend
 *   when the cluster returns, claimed through claim_owner/claim_expires_at
 *   like a deferred fence.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('failover_steps', table => {
    table.text('changes').nullable();
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('failover_steps', table => {
    table.dropColumn('changes');
  });
};
