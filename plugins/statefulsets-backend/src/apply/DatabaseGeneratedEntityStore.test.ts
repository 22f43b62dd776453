import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
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
  const databases = TestDatabases.create();

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
});
