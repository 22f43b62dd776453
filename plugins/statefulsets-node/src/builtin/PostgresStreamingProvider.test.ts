import {
  ANNOTATION_OWNER_ENTITY,
  KubeObject,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  ClusterWriteClient,
  ExecResult,
  ExecTarget,
  FailoverCallContext,
  FailoverSide,
  failoverStepDescriber,
} from '../failover';
import { CloudNativePgProvider } from './CloudNativePgProvider';
import { GenericStatefulSetProvider } from './GenericStatefulSetProvider';
import { PostgresStreamingProvider } from './PostgresStreamingProvider';
import {
  findPostgresBinDir,
  LocalPostgres,
  LocalPostgresCluster,
} from './__testUtils__/localPostgres';

const ENTITY = 'component:default/orders-db';
const workload = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  namespace: 'databases',
  name: 'orders-db',
};

function statefulSet(
  owner: string | undefined,
  ownerReferences?: KubeObject['metadata']['ownerReferences'],
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      namespace: workload.namespace,
      name: workload.name,
      annotations: owner ? { [ANNOTATION_OWNER_ENTITY]: owner } : {},
      ownerReferences,
    },
  };
}

type Exec = (command: string[]) => Promise<ExecResult>;

/** A cluster holding the workload, whose pod `orders-db-0` runs commands through `exec`. */
function side(
  cluster: string,
  exec: Exec,
  options: {
    owner?: string;
    log?: string[];
    ownerReferences?: KubeObject['metadata']['ownerReferences'];
  } = {},
): FailoverSide {
  const client: ClusterWriteClient = {
    cluster,
    pathOf: ref =>
      `/apis/apps/v1/namespaces/${ref.namespace}/statefulsets/${ref.name}`,
    get: async <T>() =>
      statefulSet(
        'owner' in options ? options.owner : ENTITY,
        options.ownerReferences,
      ) as T,
    // The role annotations follow the engine; nothing else changes.
    mergePatch: async (_path: string, patch: any) => {
      expect(Object.keys(patch)).toEqual(['metadata']);
      expect(Object.keys(patch.metadata)).toEqual(['annotations']);
      return statefulSet(ENTITY) as any;
    },
    create: async () => {
      throw new Error('the provider creates no object');
    },
    delete: async () => {
      throw new Error('the provider deletes no object');
    },
    exec: async (target: ExecTarget, command: string[]) => {
      expect(target).toEqual({ namespace: 'databases', pod: 'orders-db-0' });
      options.log?.push(command.join(' '));
      return exec(command);
    },
  };
  return { cluster, client, workload };
}

/** What STATE_QUERY prints on a writable primary. */
const primaryAnswer: Exec = async () => ({
  exitCode: 0,
  stdout: 'f|0/3000000||0|2026-01-01T00:00:00.000Z|off\n',
  stderr: '',
  durationMs: 1,
  truncated: false,
});

const ctx: FailoverCallContext = {
  entityRef: ENTITY,
  engine: 'postgresql',
  now: Date.now,
};

describe('PostgresStreamingProvider', () => {
  const provider = new PostgresStreamingProvider();

  it('fails over non-operator PostgreSQL StatefulSets only', () => {
    expect(provider.supportsWorkload(workload, 'postgresql')).toBe(true);
    expect(provider.supportsWorkload(workload, 'mysql')).toBe(false);
    expect(provider.supportsWorkload(workload)).toBe(false);
    expect(
      provider.supportsWorkload(
        { ...workload, apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster' },
        'postgresql',
      ),
    ).toBe(false);
  });

  it('words the plan of a PostgreSQL StatefulSet, ahead of the generic provider', () => {
    const providers = [
      new CloudNativePgProvider(),
      provider,
      new GenericStatefulSetProvider(),
    ];
    const sides = { sourceCluster: 'eu-west', targetCluster: 'eu-central' };
    const words = (engine: string) =>
      failoverStepDescriber(providers, workload, engine)!(sides);
    expect(words('postgresql').promote).toContain(
      'the workload in eu-central: SELECT pg_promote(true, 60)',
    );
    expect(words('cassandra').fenceMethod).toMatch(/^generic:/);
  });

  it('describes the commands of each step and the data-loss window in WAL bytes', () => {
    const steps = provider.describeSteps({
      sourceCluster: 'eu-west',
      targetCluster: 'eu-central',
    });
    expect(steps.fence).toContain(
      'the workload in eu-west: ALTER SYSTEM SET default_transaction_read_only = on',
    );
    expect(steps.promote.join('\n')).toMatch(
      /pg_last_wal_replay_lsn\(\) reaches the source's pg_current_wal_lsn\(\) \(data-loss window: 0 bytes of WAL\)/,
    );
    expect(steps.promote).toContain(
      'the workload in eu-central: SELECT pg_promote(true, 60)',
    );
    expect(steps.promoteWithoutSource[0]).toMatch(
      /data-loss window: the WAL bytes/,
    );
    expect(steps.reattach?.join('\n')).toMatch(
      /pg_rewind --source-server=.*--write-recovery-conf/,
    );
  });

  it('refuses to fence a StatefulSet not stamped for the entity, running nothing that changes it', async () => {
    const log: string[] = [];
    const source = side('eu-west', primaryAnswer, { owner: undefined, log });
    await expect(
      provider.fence(source, side('eu-central', primaryAnswer), ctx),
    ).rejects.toThrow(/carries no .*owner-entity annotation/);
    expect(log.join('\n')).not.toMatch(/ALTER SYSTEM/);
  });

  it('refuses to fence a StatefulSet an operator controls, leaving the primary to the operator', async () => {
    const log: string[] = [];
    const source = side('eu-west', primaryAnswer, {
      log,
      // The Kubernetes field the shared metadata type leaves out.
      ownerReferences: [
        {
          apiVersion: 'acid.zalan.do/v1',
          kind: 'postgresql',
          name: 'orders-db',
          controller: true,
        } as { apiVersion: string; kind: string; name: string },
      ],
    });
    await expect(
      provider.fence(source, side('eu-central', primaryAnswer), ctx),
    ).rejects.toThrow(
      /controlled by postgresql orders-db \(acid\.zalan\.do\/v1\); .*through the operator/,
    );
    expect(log.join('\n')).not.toMatch(/ALTER SYSTEM/);
  });

  it('leaves a cluster it cannot exec into to the generic provider', async () => {
    const patches: unknown[] = [];
    const source: FailoverSide = {
      ...side('eu-west', primaryAnswer),
      client: {
        cluster: 'eu-west',
        pathOf: () =>
          '/apis/apps/v1/namespaces/databases/statefulsets/orders-db',
        get: async <T>() =>
          ({ ...statefulSet(ENTITY), spec: { replicas: 2 } } as T),
        mergePatch: async <T>(_path: string, patch: unknown) => {
          patches.push(patch);
          return {} as T;
        },
        create: async () => ({} as any),
        delete: async () => undefined,
      },
    };
    await provider.fence(source, side('eu-central', primaryAnswer), ctx);
    expect(patches).toEqual([
      expect.objectContaining({ spec: { replicas: 0 } }),
    ]);
  });

  it('leaves a container without PostgreSQL client tools to the generic provider, as nobody can exec into its engine', async () => {
    const patches: unknown[] = [];
    const commands: string[][] = [];
    const noTools: Exec = async command => {
      commands.push(command);
      return {
        exitCode: 127,
        stdout: '',
        stderr: `${command[0]}: not found`,
        durationMs: 1,
        truncated: false,
      };
    };
    const source = side('eu-west', noTools);
    source.client.get = async <T>() =>
      ({ ...statefulSet(ENTITY), spec: { replicas: 2 } } as T);
    source.client.mergePatch = async <T>(_path: string, patch: unknown) => {
      patches.push(patch);
      return {} as T;
    };
    await new PostgresStreamingProvider().fence(
      source,
      side('eu-central', primaryAnswer),
      ctx,
    );
    // Only the probe ran in the pod; the fallback scaled the source down.
    expect(commands).toEqual([['psql', '--version']]);
    expect(patches).toEqual([
      expect.objectContaining({ spec: { replicas: 0 } }),
    ]);
  });

  it('refuses a rejoin connection string carrying a password', async () => {
    const withPassword = new PostgresStreamingProvider({
      primaryConninfo: () => 'host=db port=5432 user=postgres password=secret',
    });
    const never: Exec = async () => {
      throw new Error('nothing may run');
    };
    await expect(
      withPassword.reattach(
        side('eu-west', never),
        side('eu-central', never),
        {},
        ctx,
      ),
    ).rejects.toThrow(/carries a password; .*PGPASSWORD/);
  });
});

const binDir = findPostgresBinDir();
const describeWithPostgres = binDir ? describe : describe.skip;
if (!binDir) {
  // eslint-disable-next-line no-console
  console.warn(
    'PostgresStreamingProvider real-engine tests skipped: no PostgreSQL under /usr/lib/postgresql (apt-get install postgresql)',
  );
}

describeWithPostgres(
  'PostgresStreamingProvider against real PostgreSQL',
  () => {
    jest.setTimeout(180_000);
    let local: LocalPostgresCluster;
    let west: LocalPostgres;
    let central: LocalPostgres;
    const servers: Record<string, LocalPostgres> = {};
    const provider = new PostgresStreamingProvider({
      primaryConninfo: primary => servers[primary.cluster].conninfo,
      pollIntervalMs: 100,
    });
    const sideOf = (server: LocalPostgres) =>
      side(server.name, command => server.exec(command));

    beforeAll(async () => {
      local = LocalPostgresCluster.create(binDir!);
      west = await local.startPrimary('eu-west');
      central = await local.startStandby('eu-central', west);
      servers['eu-west'] = west;
      servers['eu-central'] = central;
      await west.query('CREATE TABLE orders (id int PRIMARY KEY, note text)');
    });

    afterAll(async () => {
      await local?.destroy();
    });

    async function insert(server: LocalPostgres, id: number) {
      await server.query(`INSERT INTO orders VALUES (${id}, '${server.name}')`);
    }

    async function replicated(server: LocalPostgres, id: number) {
      for (let i = 0; i < 100; i++) {
        const found = await server.query(
          `SELECT count(*) FROM orders WHERE id = ${id}`,
        );
        if (found === '1') return;
        await new Promise(r => setTimeout(r, 100));
      }
      throw new Error(`row ${id} never reached ${server.name}`);
    }

    /** Switchover from `from` to `to`, as the engine runs its steps. */
    async function switchover(from: LocalPostgres, to: LocalPostgres) {
      const source = sideOf(from);
      const target = sideOf(to);
      const fenced = await provider.fence(source, target, ctx);
      await expect(insert(from, 999)).rejects.toThrow(/read-only transaction/);
      const lag = await provider.waitCaughtUp(target, source, {
        ...ctx,
        timeoutMs: 30_000,
      });
      expect(lag).toMatchObject({ seconds: 0, lsnBytes: 0 });
      expect(await provider.readDataLoss(target, source)).toMatchObject({
        amount: 0,
        unit: 'WAL bytes',
      });
      const promoted = await provider.promote(target, source, {
        ...ctx,
        fenced,
        emergency: false,
      });
      expect(promoted).toMatchObject({ lostBytes: 0 });
      await provider.reattach(source, target, promoted, ctx);
      expect(await provider.verifyRoles(target, source, ctx)).toEqual([]);
    }

    it('switches over to the standby and back, the old primary rejoining as a standby each time', async () => {
      expect(await west.isInRecovery()).toBe(false);
      expect(await central.isInRecovery()).toBe(true);
      await insert(west, 1);
      await replicated(central, 1);

      await switchover(west, central);
      expect(await central.isInRecovery()).toBe(false);
      expect(await west.isInRecovery()).toBe(true);
      expect(await central.query('SELECT note FROM orders WHERE id = 1')).toBe(
        'eu-west',
      );
      await insert(central, 2);
      await expect(insert(west, 3)).rejects.toThrow(/read-only transaction/);
      await replicated(west, 2);

      await switchover(central, west);
      expect(await west.isInRecovery()).toBe(false);
      expect(await central.isInRecovery()).toBe(true);
      await insert(west, 4);
      await expect(insert(central, 5)).rejects.toThrow(/read-only transaction/);
      await replicated(central, 4);
      expect(
        await west.query(
          "SELECT string_agg(id::text, ',' ORDER BY id) FROM orders",
        ),
      ).toBe('1,2,4');
    });

    it('rolls back a fence, and a promotion that must be undone, leaving the old primary writable', async () => {
      const source = sideOf(west);
      const target = sideOf(central);
      const fenced = await provider.fence(source, target, ctx);
      await expect(insert(west, 6)).rejects.toThrow(/read-only transaction/);
      await provider.unfence(source, fenced, ctx);
      await insert(west, 6);

      const again = await provider.fence(source, target, ctx);
      await provider.waitCaughtUp(target, source, {
        ...ctx,
        timeoutMs: 30_000,
      });
      await provider.promote(target, source, {
        ...ctx,
        fenced: again,
        emergency: false,
      });
      expect(await provider.isPromoted(target, ctx)).toBe(true);
      await provider.abortPromotion(target, source, ctx);
      expect(await central.isInRecovery()).toBe(true);
      await provider.unfence(source, again, ctx);
      await insert(west, 7);
      await replicated(central, 7);
      expect(await provider.verifyRoles(source, target, ctx)).toEqual([]);
    });

    it('fails over to the standby when the primary is down, stating the window, and rejoins the old primary once it is back', async () => {
      await insert(west, 10);
      await replicated(central, 10);
      await west.stop('immediate');
      const source = sideOf(west);
      const target = sideOf(central);

      const promoted = await provider.promote(target, source, {
        ...ctx,
        emergency: true,
      });
      // Unknown while the source is down; its lost writes start past here.
      expect(promoted).toMatchObject({
        lostBytes: null,
        lastReceivedLsn: expect.stringMatching(/^[0-9A-F]+\/[0-9A-F]+$/),
      });
      expect(await central.isInRecovery()).toBe(false);
      await insert(central, 11);

      // The old primary comes back on its own, still a writable primary.
      await west.start();
      await provider.markFenced(source, target, ctx);
      await expect(insert(west, 12)).rejects.toThrow(/read-only transaction/);
      await provider.reattach(source, target, {}, ctx);
      expect(await west.isInRecovery()).toBe(true);
      await replicated(west, 11);
      expect(await provider.verifyRoles(target, source, ctx)).toEqual([]);
    });

    it('states the WAL bytes an emergency failover gives up while the source still answers, and rewinds them away at rejoin', async () => {
      const [primary, standby] = (await west.isInRecovery())
        ? [central, west]
        : [west, central];
      // The standby stops receiving: what the primary writes now is lost.
      await standby.query("ALTER SYSTEM SET primary_conninfo = ''");
      await standby.query('SELECT pg_reload_conf()');
      await insert(primary, 20);
      const source = sideOf(primary);
      const target = sideOf(standby);
      const planned = await provider.readDataLoss(target, source);
      expect(planned?.amount).toBeGreaterThan(0);

      const promoted = await provider.promote(target, source, {
        ...ctx,
        emergency: true,
      });
      // The source may log a standby snapshot in between: never less.
      expect(promoted.lostBytes).toBeGreaterThanOrEqual(planned!.amount!);
      expect(
        await standby.query('SELECT count(*) FROM orders WHERE id = 20'),
      ).toBe('0');

      await provider.markFenced(source, target, ctx);
      await expect(insert(primary, 21)).rejects.toThrow(
        /read-only transaction/,
      );
      await provider.reattach(source, target, {}, ctx);
      expect(await primary.isInRecovery()).toBe(true);
      await insert(standby, 22);
      await replicated(primary, 22);
      expect(
        await primary.query('SELECT count(*) FROM orders WHERE id = 20'),
      ).toBe('0');
    });
  },
);
