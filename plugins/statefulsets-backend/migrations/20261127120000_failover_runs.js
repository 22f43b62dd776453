/*
 * Failover journal: runs, their steps, and the per-entity lock that keeps
 * two backend replicas from running a failover for the same entity at once.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('failover_runs', table => {
    table.comment('Failover runs (switchover, emergency failover, drain)');
    table.string('id', 36).primary().notNullable();
    table.string('entity_ref', 255).notNullable().index();
    table.string('mode', 16).notNullable();
    table.string('source_cluster', 255).nullable();
    table.string('target_cluster', 255).notNullable();
    table.string('status', 32).notNullable().index();
    table.string('actor', 255).notNullable();
    // ISO 8601 strings: sortable and identical on every engine.
    table.string('created_at', 32).notNullable();
    table.string('started_at', 32).nullable();
    table.string('finished_at', 32).nullable();
    table.double('rpo_seconds').nullable();
    table.double('rto_ms').nullable();
    table.text('error').nullable();
    table.text('attention').nullable();
    table.text('plan').notNullable().comment('The plan as JSON');
    table.string('lease_owner', 64).nullable();
    // Epoch milliseconds, so lease comparisons need no date functions.
    table.double('lease_expires_at').nullable();
  });
  await knex.schema.createTable('failover_steps', table => {
    table.comment('The journal of steps of each failover run');
    table
      .string('run_id', 36)
      .notNullable()
      .references('id')
      .inTable('failover_runs')
      .onDelete('CASCADE');
    table.integer('step_index').notNullable();
    table.string('kind', 32).notNullable();
    table.string('title', 255).notNullable();
    table.string('cluster', 255).notNullable();
    table.string('status', 16).notNullable();
    table.string('started_at', 32).nullable();
    table.string('finished_at', 32).nullable();
    table.text('inputs').nullable();
    table.text('outcome').nullable();
    table.text('error').nullable();
    table.string('compensation', 16).notNullable().defaultTo('none');
    table.text('compensation_error').nullable();
    table.primary(['run_id', 'step_index']);
  });
  await knex.schema.createTable('failover_locks', table => {
    table.comment('One row per entity with a run in progress');
    table.string('entity_ref', 255).primary().notNullable();
    table.string('run_id', 36).notNullable();
    table.string('acquired_at', 32).notNullable();
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('failover_locks');
  await knex.schema.dropTable('failover_steps');
  await knex.schema.dropTable('failover_runs');
};
