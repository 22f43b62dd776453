/*
 * Fencing of failover runs and deferred fences.
 *
 * - failover_runs.lease_epoch: a fencing token that grows each time an
 *   engine takes a run's lease. Every journal write of a run names the epoch
 *   it holds, so an engine that lost the lease (paused, presumed dead) has
 *   its next write refused instead of acting beside the engine that took
 *   over.
 * - failover_runs.reason: why an emergency failover was forced against a
 *   source that still answered.
 * - failover_steps.claim_owner / claim_expires_at: the replica applying a
 *   deferred fence claims it first, so two replicas never apply one fence.
 *
 * lease_expires_at and claim_expires_at stay epoch milliseconds, but from now
 * on they are computed and compared in SQL against the database's clock
 * (never a replica's Date.now()), on SQLite and PostgreSQL alike; values
 * written before this migration were epoch milliseconds too.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('failover_runs', table => {
    table.integer('lease_epoch').notNullable().defaultTo(0);
    table.text('reason').nullable();
  });
  await knex.schema.alterTable('failover_steps', table => {
    table.string('claim_owner', 64).nullable();
    table.double('claim_expires_at').nullable();
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('failover_steps', table => {
    table.dropColumn('claim_expires_at');
    table.dropColumn('claim_owner');
  });
  await knex.schema.alterTable('failover_runs', table => {
    table.dropColumn('reason');
    table.dropColumn('lease_epoch');
  });
};
