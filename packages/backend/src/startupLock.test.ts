/*
 * Replicas starting together on one PostgreSQL take turns; without
 * PostgreSQL the backend starts at once.
 */
import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { withStartupLock } from './startupLock';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

const pause = (ms: number) => new Promise(r => setTimeout(r, ms));

/** PostgreSQL when configured here (CI); otherwise those tests are skipped. */
const postgres = databases.eachSupportedId();
const table = postgres.length ? postgres : [['POSTGRES_15' as const]];

async function connectionTo(databaseId: TestDatabaseId) {
  const db = await databases.init(databaseId);
  return { client: 'pg', connection: db.client.config.connection };
}

describe('withStartupLock', () => {
  it.each(table)(
    'lets one replica start at a time on %p, and the next once it is up',
    async databaseId => {
      if (!postgres.length) return; // PostgreSQL is not configured here
      const database = await connectionTo(databaseId);
      const spans: Array<{ name: string; from: number; to: number }> = [];
      const logs: string[] = [];
      const replica = (name: string) =>
        withStartupLock(
          async () => {
            const from = Date.now();
            await pause(300);
            spans.push({ name, from, to: Date.now() });
            return name;
          },
          { database, log: m => logs.push(`${name}: ${m}`) },
        );
      await expect(
        Promise.all([replica('a'), replica('b'), replica('c')]),
      ).resolves.toEqual(['a', 'b', 'c']);
      spans.sort((x, y) => x.from - y.from);
      for (let i = 1; i < spans.length; i++) {
        expect(spans[i].from).toBeGreaterThanOrEqual(spans[i - 1].to);
      }
      expect(logs.filter(l => l.includes('waiting'))).toHaveLength(2);
    },
  );

  it.each(table)(
    'releases the lock when a start fails on %p',
    async databaseId => {
      if (!postgres.length) return; // PostgreSQL is not configured here
      const database = await connectionTo(databaseId);
      await expect(
        withStartupLock(() => Promise.reject(new Error('plugin failed')), {
          database,
          log: () => {},
        }),
      ).rejects.toThrow('plugin failed');
      await expect(
        withStartupLock(async () => 'next', { database, log: () => {} }),
      ).resolves.toBe('next');
    },
  );

  it('starts at once without PostgreSQL in the configuration', async () => {
    const logs: string[] = [];
    await expect(
      withStartupLock(async () => 'up', {
        config: new ConfigReader({
          backend: { database: { client: 'better-sqlite3' } },
        }),
        log: m => logs.push(m),
      }),
    ).resolves.toBe('up');
    expect(logs).toEqual([]);
  });
});
