/*
 * The failover journal's schema migrations, run once when several replicas
 * start together on one database.
 */
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { knex as createKnex, Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@multicluster/backstage-plugin-statefulsets-backend',
  'migrations',
);

/** The advisory lock our migrations take on PostgreSQL. */
const MIGRATION_LOCK_KEY = 4_711_530_286;

/**
 * Runs the migrations so that replicas starting together on one database
 * run them once. Knex alone is not enough: it refuses at once, instead of
 * waiting, when another process holds its migration lock, and two processes
 * creating its own tables together can leave several rows in
 * `knex_migrations_lock`, after which every later migration fails with
 * "Migration table is already locked" for good. On PostgreSQL the
 * migrations therefore run under an advisory lock (held on a connection of
 * its own), and extra lock rows a past race left are removed
 * under it; elsewhere they are tried again while another process holds
 * Knex's lock.
 */
export async function migrateLatest(
  client: Knex,
  timeoutMs = 120_000,
): Promise<void> {
  if (client.client.config.client === 'pg') {
    // A connection of its own holds the lock: the migrations need the
    // client's pool, which may have a single connection.
    const locker = createKnex({
      client: 'pg',
      connection: client.client.config.connection,
      pool: { min: 0, max: 1 },
    });
    try {
      await locker.raw('SELECT pg_advisory_lock(?)', [MIGRATION_LOCK_KEY]);
      if (await client.schema.hasTable('knex_migrations_lock')) {
        await client('knex_migrations_lock')
          .whereNot('index', client('knex_migrations_lock').min('index'))
          .delete();
      }
      await client.migrate.latest({ directory: migrationsDir });
    } finally {
      await locker
        .raw('SELECT pg_advisory_unlock(?)', [MIGRATION_LOCK_KEY])
        .catch(() => undefined);
      await locker.destroy();
    }
    return;
  }
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await client.migrate.latest({ directory: migrationsDir });
      return;
    } catch (error) {
      const locked = (error as Error).name === 'MigrationLocked';
      if (!locked || Date.now() > deadline) throw error;
      await new Promise(r => setTimeout(r, Math.min(2000, 200 * 2 ** attempt)));
    }
  }
}
