/*
 * Replicas that start together take turns. Backstage's plugins run their
 * database migrations as they start, and two processes migrating the same
 * PostgreSQL database at once fail ("Migration table is already locked", or a
 * duplicate key while creating knex's own tables) — which is what a
 * Deployment of several replicas does on its first install and on every
 * upgrade. With PostgreSQL, each replica therefore holds a session advisory
 * lock while its plugins start, and the next one starts when it is released;
 * the lock goes with the connection, so a replica that dies while starting
 * releases it too. Other databases start at once.
 */
import { Config } from '@backstage/config';
import { ConfigSources } from '@backstage/config-loader';
import { knex, Knex } from 'knex';

/** The advisory lock's key: one for every Backstage backend of the database. */
export const STARTUP_LOCK_KEY = 7_306_284_719;

type Log = (message: string) => void;

const defaultLog: Log = message =>
  process.stdout.write(
    `${JSON.stringify({ level: 'info', message, service: 'startup-lock' })}\n`,
  );

/**
 * Runs `start` (the backend's start) while holding the startup lock of the
 * PostgreSQL server `backend.database` names; without PostgreSQL it only
 * runs `start`.
 */
export async function withStartupLock<T>(
  start: () => Promise<T>,
  options: {
    /** The database connection; read from `config` when absent. */
    database?: Knex.Config;
    /** The backend's configuration; loaded from its `--config` arguments when absent. */
    config?: Config;
    log?: Log;
  } = {},
): Promise<T> {
  const log = options.log ?? defaultLog;
  const database =
    options.database ??
    (await databaseFromConfig(options.config).catch(error => {
      // The backend reports its configuration's errors itself.
      log(`Starting without the startup lock: ${error}`);
      return undefined;
    }));
  if (!database) return start();
  const db = knex({ ...database, pool: { min: 1, max: 1 } });
  try {
    const free = await db.raw('SELECT pg_try_advisory_lock(?) AS ok', [
      STARTUP_LOCK_KEY,
    ]);
    if (!free.rows[0].ok) {
      log(
        'Another replica is starting on the same database; waiting for it to finish its migrations',
      );
      const since = Date.now();
      await db.raw('SELECT pg_advisory_lock(?)', [STARTUP_LOCK_KEY]);
      log(`Its start finished after ${Date.now() - since} ms; starting`);
    }
    return await start();
  } finally {
    await db
      .raw('SELECT pg_advisory_unlock(?)', [STARTUP_LOCK_KEY])
      .catch(() => undefined);
    await db.destroy();
  }
}

/** `backend.database` when it is PostgreSQL, from the backend's own config. */
async function databaseFromConfig(
  given?: Config,
): Promise<Knex.Config | undefined> {
  const loaded = given
    ? undefined
    : await ConfigSources.toConfig(
        ConfigSources.default({
          argv: process.argv,
          rootDir: process.cwd(),
          allowMissingDefaultConfig: true,
        }),
      );
  const config = given ?? loaded!;
  try {
    const client = config.getOptionalString('backend.database.client');
    if (client !== 'pg') return undefined;
    const connection = config.getOptional('backend.database.connection');
    return {
      client: 'pg',
      connection: connection as Knex.StaticConnectionConfig,
    };
  } finally {
    loaded?.close();
  }
}
