/*
 * The catalog entities the apply endpoint registered, in the plugin's
 * database (table `generated_entities`), for the catalog provider to read.
 */
import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { Knex } from 'knex';
import { GeneratedEntity } from './types';

const TABLE = 'generated_entities';

interface Row {
  entity_ref: string;
  entity: string;
  created_by: string;
  created_at: string;
  updated_at: string;
}

/** Persists generated entities; the only place that speaks SQL for them. */
export class DatabaseGeneratedEntityStore {
  readonly #db: Knex;

  private constructor(db: Knex) {
    this.#db = db;
  }

  /**
   * Connects and returns the store. The plugin's migrations share one folder
   * and one runner (the failover store runs them); this runs that folder only
   * when the table is still missing, so normal start-up migrates once.
   */
  static async create(options: {
    database: DatabaseService | Knex;
  }): Promise<DatabaseGeneratedEntityStore> {
    const { database } = options;
    const isService = (database as DatabaseService).getClient !== undefined;
    const client = isService
      ? await (database as DatabaseService).getClient()
      : (database as Knex);
    const skip = isService && (database as DatabaseService).migrations?.skip;
    if (!skip && !(await client.schema.hasTable(TABLE))) {
      await client.migrate.latest({
        directory: resolvePackagePath(
          '@multicluster/backstage-plugin-statefulsets-backend',
          'migrations',
        ),
      });
    }
    return new DatabaseGeneratedEntityStore(client);
  }

  /** Inserts or replaces an entity; the first writer and time are kept. */
  async upsert(input: {
    entity: Entity;
    entityRef: string;
    actor: string;
    now?: Date;
  }): Promise<GeneratedEntity> {
    const now = (input.now ?? new Date()).toISOString();
    await this.#db<Row>(TABLE)
      .insert({
        entity_ref: input.entityRef,
        entity: JSON.stringify(input.entity),
        created_by: input.actor,
        created_at: now,
        updated_at: now,
      })
      .onConflict('entity_ref')
      .merge(['entity', 'updated_at']);
    return (await this.get(input.entityRef))!;
  }

  /** One stored entity, or undefined. */
  async get(entityRef: string): Promise<GeneratedEntity | undefined> {
    const row = await this.#db<Row>(TABLE)
      .where({ entity_ref: entityRef })
      .first();
    return row ? toGenerated(row) : undefined;
  }

  /** Every stored entity, oldest first. */
  async list(): Promise<GeneratedEntity[]> {
    const rows = await this.#db<Row>(TABLE)
      .select()
      .orderBy([
        { column: 'created_at', order: 'asc' },
        { column: 'entity_ref', order: 'asc' },
      ]);
    return rows.map(toGenerated);
  }

  /** Forgets an entity; the provider drops it from the catalog on its next run. */
  async delete(entityRef: string): Promise<boolean> {
    const n = await this.#db<Row>(TABLE).where({ entity_ref: entityRef }).del();
    return n > 0;
  }
}

function toGenerated(row: Row): GeneratedEntity {
  return {
    entityRef: row.entity_ref,
    entity: JSON.parse(row.entity),
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
