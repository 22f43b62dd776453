import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { DatabaseFailoverStore } from '../failover/DatabaseFailoverStore';
import { DatabaseGeneratedEntityStore } from './DatabaseGeneratedEntityStore';

function entity(name: string, owner = 'group:default/dba'): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default' },
    spec: { type: 'database', lifecycle: 'production', owner },
  };
}

describe('DatabaseGeneratedEntityStore', () => {
  // The engines the plugin supports: SQLite by default, PostgreSQL in production.
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  it.each(databases.eachSupportedId())(
    'stores, replaces, lists and deletes entities on %p',
    async (databaseId: TestDatabaseId) => {
      const knex = await databases.init(databaseId);
      const store = await DatabaseGeneratedEntityStore.create({
        database: knex,
      });

      await store.upsert({
        entityRef: 'component:default/b-db',
        entity: entity('b-db'),
        actor: 'user:default/ann',
        now: new Date('2026-11-27T10:00:00Z'),
      });
      await store.upsert({
        entityRef: 'component:default/a-db',
        entity: entity('a-db'),
        actor: 'user:default/bob',
        now: new Date('2026-11-27T11:00:00Z'),
      });
      const replaced = await store.upsert({
        entityRef: 'component:default/b-db',
        entity: entity('b-db', 'group:default/platform'),
        actor: 'user:default/carl',
        now: new Date('2026-11-27T12:00:00Z'),
      });

      // The first writer and creation time stay; the entity and update time move.
      expect(replaced).toEqual({
        entityRef: 'component:default/b-db',
        entity: entity('b-db', 'group:default/platform'),
        createdBy: 'user:default/ann',
        createdAt: '2026-11-27T10:00:00.000Z',
        updatedAt: '2026-11-27T12:00:00.000Z',
      });
      expect((await store.list()).map(e => e.entityRef)).toEqual([
        'component:default/b-db',
        'component:default/a-db',
      ]);

      expect(await store.delete('component:default/b-db')).toBe(true);
      expect(await store.delete('component:default/b-db')).toBe(false);
      expect((await store.list()).map(e => e.entityRef)).toEqual([
        'component:default/a-db',
      ]);

      // A second store on a migrated database finds the table and reads the same rows.
      const again = await DatabaseGeneratedEntityStore.create({
        database: knex,
      });
      expect(await again.get('component:default/a-db')).toMatchObject({
        createdBy: 'user:default/bob',
      });
      expect(await again.get('component:default/b-db')).toBeUndefined();
    },
  );

  it('shares the migrations folder with the failover store, in either order', async () => {
    const first = await databases.init('SQLITE_3');
    await DatabaseFailoverStore.create({ database: first });
    const store = await DatabaseGeneratedEntityStore.create({
      database: first,
    });
    await store.upsert({
      entityRef: 'component:default/x-db',
      entity: entity('x-db'),
      actor: 'user:default/ann',
    });
    expect(await first.schema.hasTable('failover_runs')).toBe(true);

    const second = await databases.init('SQLITE_3');
    await DatabaseGeneratedEntityStore.create({ database: second });
    await DatabaseFailoverStore.create({ database: second });
    const names = (await second('knex_migrations').select('name')).map(
      (r: { name: string }) => r.name,
    );
    expect(names).toEqual(
      expect.arrayContaining([
        '20261127120000_failover_runs.js',
        '20261127T2330_generated_entities.js',
      ]),
    );
  });
});
