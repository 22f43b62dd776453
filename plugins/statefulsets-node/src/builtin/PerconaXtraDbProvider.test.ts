import { failoverStepDescriber } from '../failover';
import { GenericStatefulSetProvider } from './GenericStatefulSetProvider';
import { MySqlGtidProvider } from './MySqlGtidProvider';
import { PerconaXtraDbProvider } from './PerconaXtraDbProvider';
import {
  followsHosts,
  pxcNameOf,
  replicaChannels,
  sourceChannels,
} from './perconaSites';

const workload = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  namespace: 'databases',
  name,
});

const sources = [
  { host: 'payments-pxc-0.databases.eu-west.elb', port: 3306, weight: 100 },
  { host: 'payments-pxc-1.databases.eu-west.elb', port: 3306, weight: 100 },
];

describe('PerconaXtraDbProvider', () => {
  const provider = new PerconaXtraDbProvider();

  it("takes the operator's StatefulSets of a mysql entity, ahead of the MySQL provider", () => {
    expect(
      provider.supportsWorkload(workload('payments-haproxy'), 'mysql'),
    ).toBe(true);
    expect(provider.supportsWorkload(workload('payments-pxc'), 'mysql')).toBe(
      true,
    );
    expect(provider.supportsWorkload(workload('orders-mysql'), 'mysql')).toBe(
      false,
    );
    expect(
      provider.supportsWorkload(workload('payments-pxc'), 'postgresql'),
    ).toBe(false);
    const describe = failoverStepDescriber(
      [provider, new MySqlGtidProvider(), new GenericStatefulSetProvider()],
      workload('payments-haproxy'),
      'mysql',
    );
    expect(describe).toBeDefined();
    expect(pxcNameOf('payments-haproxy')).toBe('payments');
  });

  it("turns the channels around in Percona's order, in the operator's fields", () => {
    const channels = [{ name: 'c', isSource: true }];
    const replica = replicaChannels(channels, sources);
    expect(replica).toEqual([
      { name: 'c', isSource: false, sourcesList: sources },
    ]);
    expect(followsHosts(replica, sources)).toBe(true);
    expect(followsHosts(replica, sources.slice(0, 1))).toBe(false);
    expect(followsHosts(channels, sources)).toBe(false);
    expect(
      sourceChannels([
        {
          name: 'c',
          isSource: false,
          sourcesList: sources,
          configuration: { sourceRetryCount: 3 },
        },
      ]),
    ).toEqual([
      { name: 'c', isSource: true, configuration: { sourceRetryCount: 3 } },
    ]);
  });

  it('describes each step as the field it sets and the statements it runs', () => {
    const described = provider.describeSteps({
      sourceCluster: 'eu-central',
      targetCluster: 'eu-west',
    });
    expect(described.fenceMethod).toMatch(/^percona-xtradb-cluster: /);
    expect(described.fence.join('\n')).toContain(
      "spec.pxc.replicationChannels[*].isSource = false, sourcesList = the hosts eu-west's exposed pxc pods publish",
    );
    expect(described.promote.join('\n')).toContain(
      'WAIT_FOR_EXECUTED_GTID_SET',
    );
    expect(described.promote.join('\n')).toContain('isSource = true');
    expect(described.promoteWithoutSource.join('\n')).toContain(
      'data-loss window',
    );
    expect(described.promoteWithoutSource.join('\n')).not.toContain(
      'WAIT_FOR_EXECUTED_GTID_SET',
    );
    expect(described.reattach).toBeDefined();
  });
});
