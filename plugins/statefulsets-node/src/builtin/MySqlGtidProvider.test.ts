import {
  describeWorkload,
  TopologyWorkload,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  ClusterWriteClient,
  failoverStepDescriber,
  FailoverSide,
  GenericStatefulSetProvider,
  MySqlGtidProvider,
  MysqlServer,
  mysqlPeerAddress,
} from '..';
import { gtidDifference } from './gtidSet';
import { mysqlCommand, parseVertical } from './mysqlExec';
import { joinConfigMapOf, withPrimaryBranch } from './mysqlJoinScript';

const A = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
const B = '4a22fb58-82db-22f2-af44-d91bb0530673';

describe('GTID set difference', () => {
  it('counts what one server executed that the other lacks', () => {
    expect(gtidDifference(`${A}:1-10,${B}:1-3`, `${A}:1-7:9`)).toEqual({
      gtids: `${A}:8:10,${B}:1-3`,
      transactions: 5,
    });
    expect(gtidDifference(`${A}:1-5`, `${A}:1-5,${B}:1`).transactions).toBe(0);
    expect(gtidDifference('', '')).toEqual({ gtids: '', transactions: 0 });
  });

  it('reads sets as mysql prints them, over several lines', () => {
    expect(gtidDifference(`${A}:1-3,\n${B}:1-2`, `${B}:1-2`).gtids).toBe(
      `${A}:1-3`,
    );
    expect(() => gtidDifference('nonsense:1', '')).toThrow(
      'Malformed GTID set',
    );
  });
});

describe('the mysql command line', () => {
  it('takes the password from the pod environment, never inline', () => {
    const [sh, c, script] = mysqlCommand('SELECT 1');
    expect([sh, c]).toEqual(['sh', '-c']);
    expect(script).toBe(
      'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql -uroot -N -B -e "SELECT 1"',
    );
  });

  it('refuses SQL the shell would rewrite', () => {
    expect(() => mysqlCommand('SELECT "$HOME"')).toThrow(
      'Refusing to pass SQL with shell quoting characters',
    );
  });

  it('reads vertical output, GTID sets spanning lines included', () => {
    const rows = parseVertical(
      [
        '*************************** 1. row ***************************',
        '          Source_Host: db-0.eu-central',
        'Seconds_Behind_Source: NULL',
        '    Executed_Gtid_Set: ' + `${A}:1-3,`,
        `${B}:1-2`,
        '         Channel_Name: eu-central',
        '',
      ].join('\n'),
    );
    expect(rows).toEqual([
      {
        Source_Host: 'db-0.eu-central',
        Seconds_Behind_Source: null,
        Executed_Gtid_Set: `${A}:1-3,\n${B}:1-2`,
        Channel_Name: 'eu-central',
      },
    ]);
  });
});

const workload: TopologyWorkload = {
  kind: 'StatefulSet',
  apiVersion: 'apps/v1',
  namespace: 'db',
  name: 'orders',
  role: 'active',
  replicas: { desired: 3, ready: 3, updated: 3 },
  ordinalsStart: 10,
  pods: [],
  volumes: [],
};

describe('MySqlGtidProvider', () => {
  const provider = new MySqlGtidProvider();
  const generic = new GenericStatefulSetProvider();

  it('is picked for MySQL StatefulSets only, ahead of the generic provider', () => {
    const providers = [provider, generic];
    const describe = failoverStepDescriber(providers, workload, 'mysql')!;
    const steps = describe({
      sourceCluster: 'eu-central',
      targetCluster: 'eu-west',
      sourceWorkload: { ...workload, ordinalsStart: 0 },
      targetWorkload: workload,
    });
    expect(steps.fence).toEqual([
      'eu-central/orders-0: SET PERSIST super_read_only=ON (the pod keeps running)',
    ]);
    expect(steps.promote).toEqual([
      'eu-west/orders-10: SELECT WAIT_FOR_EXECUTED_GTID_SET(<@@gtid_executed of eu-central/orders-0>, <timeout>)',
      'eu-west/orders-10: STOP REPLICA; RESET REPLICA ALL; SET PERSIST super_read_only=OFF; SET PERSIST read_only=OFF',
      'the other pods of eu-west keep replicating from eu-west/orders-10',
      'join.sh of eu-west (replication ConfigMap): orders-10 joins nothing, so a restart keeps it the source',
    ]);
    expect(steps.promoteWithoutSource.join('\n')).toContain(
      'data-loss window: the transactions of eu-central/orders-0',
    );
    expect(steps.reattach?.join('\n')).toContain(
      "CHANGE REPLICATION SOURCE TO SOURCE_HOST=<eu-west/orders-10>, SOURCE_AUTO_POSITION=1 FOR CHANNEL 'eu-west'",
    );
    expect(steps.fenceMethod).toContain(describeWorkload(workload));

    const other = failoverStepDescriber(providers, workload, 'mongodb')!;
    expect(
      other({ targetCluster: 'eu-west', targetWorkload: workload }).fence,
    ).toEqual(describeGenericSteps());
  });

  it('leaves a side it cannot exec into to the fallback provider', async () => {
    const sts = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: {
        name: 'orders',
        namespace: 'db',
        annotations: {
          'multicluster-statefulsets/owner-entity': 'component:default/orders',
          'multicluster-statefulsets/replication-lag-seconds': '2',
        },
      },
      spec: {
        template: {
          spec: { containers: [{ name: 'db', image: 'mysql:8.4' }] },
        },
      },
    };
    const client: ClusterWriteClient = {
      cluster: 'eu-west',
      pathOf: () => '/apis/apps/v1/namespaces/db/statefulsets/orders',
      get: async () => sts as any,
      mergePatch: async () => sts as any,
      create: async () => sts as any,
      delete: async () => undefined,
    };
    const side: FailoverSide = { cluster: 'eu-west', client, workload };
    const lag = await provider.readLag(side, {
      entityRef: 'component:default/orders',
      now: Date.now,
    });
    expect(lag.seconds).toBe(2);
  });

  function describeGenericSteps() {
    return generic.describeSteps({
      targetCluster: 'eu-west',
      targetWorkload: workload,
    }).fence;
  }
});

describe('the join script a failover rewrites', () => {
  const script = [
    '#!/bin/bash',
    '# Joins a server of eu-west to the replication topology, on every start.',
    "# db-3, the cluster's primary, replicates from eu-central and is read-only;",
    '# the other pods replicate from db-3 and are read-only.',
    'case "$POD_NAME" in',
    "  'db-3')",
    "    join 'eu-central' 'db-0.eu-central.db-headless.data.svc.clusterset.local' <<SQL",
    "CHANGE REPLICATION SOURCE TO SOURCE_HOST='db-0.eu-central.db-headless.data.svc.clusterset.local', SOURCE_PORT=3306, SOURCE_USER='replicator', SOURCE_PASSWORD='$REPLICATION_PASSWORD', SOURCE_AUTO_POSITION=1, SOURCE_SSL=1 FOR CHANNEL 'eu-central';",
    "START REPLICA FOR CHANNEL 'eu-central';",
    'SQL',
    '    read_only',
    '    ;;',
    '  *)',
    "    join 'eu-west' 'db-3.db-headless.data.svc.cluster.local' <<SQL",
    'SQL',
    '    read_only',
    '    ;;',
    'esac',
    '',
  ].join('\n');

  it('makes the promoted primary join nothing, and back', () => {
    const promoted = withPrimaryBranch(script, 'db-3', { source: true })!;
    expect(promoted).toContain(
      "# db-3, the cluster's primary, is the source of the topology;",
    );
    expect(promoted).toContain("  'db-3')\n    : # nothing to join\n    ;;");
    // The other pods keep following their own primary.
    expect(promoted).toContain("    join 'eu-west' 'db-3.db-headless");
    const back = withPrimaryBranch(promoted, 'db-3', {
      source: false,
      channel: 'eu-central',
      host: 'db-0.eu-central.db-headless.data.svc.clusterset.local',
      port: 3306,
    });
    expect(back).toBe(script);
  });

  it('leaves a script without a branch for the pod alone', () => {
    expect(withPrimaryBranch(script, 'db-9', { source: true })).toBeUndefined();
  });

  it('finds the ConfigMap the StatefulSet mounts it from', () => {
    expect(
      joinConfigMapOf({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'db' },
        spec: {
          template: {
            spec: {
              volumes: [
                { name: 'data', emptyDir: {} },
                {
                  name: 'replication-join',
                  configMap: { name: 'db-replication' },
                },
              ],
            },
          },
        },
      }),
    ).toBe('db-replication');
  });
});

describe('the address of a new primary', () => {
  const server = (pod: string, cluster: string) =>
    ({
      pod,
      namespace: 'data',
      serviceName: 'db-headless',
      side: { cluster },
    } as unknown as MysqlServer);

  it('follows the form the topology already uses', () => {
    const known = {
      host: 'db-0.central-id.db-headless.data.svc.clusterset.local',
      pod: 'db-0',
      cluster: 'central-id',
    };
    expect(mysqlPeerAddress(server('db-3', 'eu-west'), known)).toBe(
      'db-3.eu-west.db-headless.data.svc.clusterset.local',
    );
    expect(
      mysqlPeerAddress(server('db-3', 'eu-west'), {
        host: 'db-0.data.svc.cluster.local',
        pod: 'db-0',
        cluster: 'eu-central',
      }),
    ).toBe('db-3.data.svc.cluster.local');
  });

  it('is the Multi-Cluster Services name when none is known', () => {
    expect(mysqlPeerAddress(server('db-3', 'eu-west'))).toBe(
      'db-3.eu-west.db-headless.data.svc.clusterset.local',
    );
  });
});

describe('a promotion of a generated MySQL database', () => {
  it('rewrites the join script so a restart keeps the new primary writable', async () => {
    const joinScript = [
      "# orders-10, the cluster's primary, replicates from eu-central and is read-only;",
      'case "$POD_NAME" in',
      "  'orders-10')",
      "    join 'eu-central' 'orders-0.eu-central.h.db.svc.clusterset.local' <<SQL",
      'SQL',
      '    read_only',
      '    ;;',
      'esac',
    ].join('\n');
    const sts = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: {
        name: 'orders',
        namespace: 'db',
        annotations: {
          'multicluster-statefulsets/owner-entity': 'component:default/orders',
        },
      },
      spec: {
        ordinals: { start: 10 },
        template: {
          spec: {
            containers: [{ name: 'mysql', image: 'mysql:8.4' }],
            volumes: [
              {
                name: 'replication-join',
                configMap: { name: 'orders-replication' },
              },
            ],
          },
        },
      },
    };
    const patches: Array<[string, unknown]> = [];
    const statements: string[] = [];
    const client: ClusterWriteClient = {
      cluster: 'eu-west',
      pathOf: r => `/${r.kind}/${r.name}`,
      get: async (path: string) =>
        (path === '/ConfigMap/orders-replication'
          ? { data: { 'join.sh': joinScript } }
          : sts) as any,
      mergePatch: async (path, patch) => {
        patches.push([path, patch]);
        return {} as any;
      },
      create: async () => ({} as any),
      delete: async () => undefined,
      exec: async (_target, command) => {
        statements.push(command[2]);
        const stdout = command[2].includes('@@GLOBAL.super_read_only')
          ? `*** 1. row ***\nsuper_read_only: 1\nread_only: 1\ngtid_executed: ${A}:1-5\n`
          : '';
        return {
          exitCode: 0,
          stdout,
          stderr: '',
          durationMs: 1,
          truncated: false,
        };
      },
    };
    // A source that never answers holds up the promotion a short while only.
    const down: ClusterWriteClient = {
      ...client,
      cluster: 'eu-central',
      get: () => new Promise(() => {}),
    };
    const undo = await new MySqlGtidProvider({ sourcePeekMs: 50 }).promote(
      { cluster: 'eu-west', client, workload },
      { cluster: 'eu-central', client: down, workload },
      { entityRef: 'component:default/orders', now: Date.now, emergency: true },
    );
    expect(undo).toMatchObject({
      pod: 'orders-10',
      gtidExecuted: `${A}:1-5`,
      lostTransactions: null,
    });
    expect(statements.some(s => s.includes('RESET REPLICA ALL'))).toBe(true);
    const [, patch] = patches.find(
      ([p]) => p === '/ConfigMap/orders-replication',
    )!;
    expect((patch as any).data['join.sh']).toContain(
      "  'orders-10')\n    : # nothing to join\n    ;;",
    );
  });
});
