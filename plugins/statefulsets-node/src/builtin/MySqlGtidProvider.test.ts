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
} from '..';
import { gtidDifference } from './gtidSet';
import { mysqlCommand, parseVertical } from './mysqlExec';

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
