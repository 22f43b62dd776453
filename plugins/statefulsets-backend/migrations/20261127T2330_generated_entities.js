/*
 * Catalog entities of databases created through the Software Template,
 * stored by the apply endpoint and served to the catalog's entity provider.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('generated_entities', table => {
    table.comment('Entities registered offline by the apply endpoint');
    table.string('entity_ref', 255).primary().notNullable();
    table.text('entity').notNullable().comment('The entity as JSON');
    table.string('created_by', 255).notNullable();
    // ISO 8601 strings, like the failover tables: identical on every engine.
    table.string('created_at', 32).notNullable();
    table.string('updated_at', 32).notNullable();
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('generated_entities');
};
