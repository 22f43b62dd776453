// A KafkaMirrorMaker2 whose spec is turned around (target and mirror source
// swapped) moves the lag record to the Kafka it now mirrors into, in the
// other cluster, and back.
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { SIM_LAG_SOURCE } from '../../metrics';
import { FakeWorld } from '../../testing';
import type { KubeObject } from '../../types';
import { STRIMZI_API, strimziController } from '../strimzi';

const NS = 'databases';
const demoFile = (cluster: string) =>
  path.resolve(
    __dirname,
    '../../../../../../examples/world',
    cluster,
    'clickstream-kafka.yaml',
  );

function setup() {
  const world = FakeWorld.demo();
  world.ensureNamespace(NS);
  for (const cluster of world.clusters.values())
    for (const zone of cluster.zones)
      cluster.create({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name: `${cluster.name}-${zone}-1`,
          labels: { 'topology.kubernetes.io/zone': zone },
        },
      });
  for (const cluster of ['eu-central', 'us-east'])
    for (const d of parseAllDocuments(
      fs.readFileSync(demoFile(cluster), 'utf8'),
    ))
      if (d.toJS()) world.cluster(cluster).create(d.toJS() as KubeObject);
  const controllers = [strimziController()];
  world.reconcile(controllers, 2);
  const get = (cluster: string, kind: string, name: string) =>
    world.cluster(cluster).get(STRIMZI_API, kind, NS, name)!;
  return { world, controllers, get };
}

describe('a reversed KafkaMirrorMaker2', () => {
  it('writes the lag record on the Kafka it mirrors into, in either cluster', () => {
    const { world, controllers, get } = setup();
    const lagSource = (cluster: string) =>
      get(cluster, 'Kafka', 'clickstream').metadata.annotations?.[
        SIM_LAG_SOURCE
      ];
    world.advance(2000);
    world.reconcile(controllers);
    expect(lagSource('us-east')).toBe('eu-central');
    expect(lagSource('eu-central')).toBeUndefined();

    const swap = () => {
      const mm2 = get('us-east', 'KafkaMirrorMaker2', 'clickstream-mirror');
      const { target } = mm2.spec;
      const [mirror] = mm2.spec.mirrors;
      const {
        groupId,
        configStorageTopic,
        statusStorageTopic,
        offsetStorageTopic,
        config,
      } = target;
      mm2.spec.target = {
        ...mirror.source,
        groupId,
        configStorageTopic,
        statusStorageTopic,
        offsetStorageTopic,
        config,
      };
      mirror.source = {
        alias: target.alias,
        bootstrapServers: target.bootstrapServers,
        tls: target.tls,
      };
      world.cluster('us-east').update(mm2);
      world.advance(2000);
      world.reconcile(controllers, 2);
    };
    swap();
    expect(lagSource('eu-central')).toBe('us-east');
    expect(lagSource('us-east')).toBeUndefined();
    const status = get(
      'us-east',
      'KafkaMirrorMaker2',
      'clickstream-mirror',
    ).status;
    expect(
      status.connectors.find((c: any) =>
        c.name.endsWith('MirrorSourceConnector'),
      ).name,
    ).toBe('us-east->eu-central.MirrorSourceConnector');

    swap();
    expect(lagSource('us-east')).toBe('eu-central');
    expect(lagSource('eu-central')).toBeUndefined();
  });
});
