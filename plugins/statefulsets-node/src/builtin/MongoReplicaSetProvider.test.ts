import { TopologyWorkload } from '@multicluster/backstage-plugin-statefulsets-common';
import {
  failoverStepDescriber,
  GenericStatefulSetProvider,
  MongoReplicaSetProvider,
} from '..';
import { mongoshCommand } from './mongoExec';
import { raiseTarget } from './mongoSteps';

const host = (pod: string) =>
  `${pod}.sessions-mongodb.databases.svc.clusterset.local:27017`;
const conf = {
  _id: 'sessions',
  version: 3,
  members: [
    { _id: 0, host: host('db-0'), priority: 2, votes: 1 },
    { _id: 1, host: host('db-1'), priority: 2, votes: 1 },
    { _id: 2, host: host('db-10'), priority: 1, votes: 1 },
    { _id: 3, host: host('db-11'), priority: 1, votes: 1, hidden: true },
    { _id: 4, host: host('db-20'), priority: 0.5, votes: 1 },
  ],
};
const inWest = (h: string) => /^db-1\d\./.test(h);
const inCentral = (h: string) => /^db-\d\./.test(h);

describe('the priority rule', () => {
  it('swaps the highest priority to the target, and back', () => {
    const there = raiseTarget(conf, inWest);
    expect(there.members.map(m => m.priority)).toEqual([1, 1, 2, 1, 0.5]);
    const back = raiseTarget(there, inCentral);
    expect(back.members.map(m => m.priority)).toEqual([2, 2, 1, 1, 0.5]);
    expect(back.version).toBe(3);
  });

  it('halves the top when the target had no priority', () => {
    const passive = {
      ...conf,
      members: conf.members.map(m => ({
        ...m,
        priority: inWest(m.host) ? 0 : m.priority,
      })),
    };
    const raised = raiseTarget(passive, h => /^db-10\./.test(h));
    expect(raised.members.map(m => m.priority)).toEqual([1, 1, 2, 0, 0.5]);
  });

  it('refuses a target without an electable member', () => {
    expect(() => raiseTarget(conf, h => /^db-11\./.test(h))).toThrow(
      'no electable member (votes 1, not hidden, not an arbiter)',
    );
  });
});

describe('the mongosh command line', () => {
  it('passes the script as one argument, with credentials from the pod environment', () => {
    expect(mongoshCommand('db.hello()', false)).toEqual([
      'mongosh',
      '--quiet',
      '--eval',
      'db.hello()',
    ]);
    const withAuth = mongoshCommand('JSON.stringify(rs.status())', true);
    expect(withAuth[2]).toBe(
      `mongosh --quiet -u "$MONGO_INITDB_ROOT_USERNAME" -p "$MONGO_INITDB_ROOT_PASSWORD" --authenticationDatabase admin --eval 'JSON.stringify(rs.status())'`,
    );
    expect(() => mongoshCommand("db.getSiblingDB('x')", true)).toThrow(
      'single quote',
    );
  });
});

const workload: TopologyWorkload = {
  kind: 'StatefulSet',
  apiVersion: 'apps/v1',
  namespace: 'databases',
  name: 'sessions-mongodb',
  role: 'active',
  replicas: { desired: 2, ready: 2, updated: 2 },
  ordinalsStart: 10,
  pods: [],
  volumes: [],
};

describe('MongoReplicaSetProvider', () => {
  it('is picked for MongoDB StatefulSets ahead of the generic provider, in mongosh words', () => {
    const describe = failoverStepDescriber(
      [new MongoReplicaSetProvider(), new GenericStatefulSetProvider()],
      workload,
      'mongodb',
    )!;
    const steps = describe({
      sourceCluster: 'eu-central',
      targetCluster: 'eu-west',
      sourceWorkload: { ...workload, ordinalsStart: 0 },
      targetWorkload: workload,
    });
    expect(steps.fence.join('\n')).toContain(
      'db.adminCommand({replSetStepDown: 60, secondaryCatchUpPeriodSecs: 10})',
    );
    expect(steps.fence[0]).toContain('rs.reconfig(');
    expect(steps.promote.join('\n')).toContain('eu-west/sessions-mongodb-10');
    expect(steps.promoteWithoutSource.join('\n')).toContain('{force: true}');
    expect(steps.reattach?.join('\n')).toContain('replSetFreeze: 0');
  });
});
