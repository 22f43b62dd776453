/*
 * The MirrorMaker 2 series the simulator publishes follow the flows that
 * run: labelled with the flow's aliases and the MirrorMaker 2 pod, gone
 * while it does not run, turned around with mm2.properties.
 */
import { ClusterStore } from '../../store/ClusterStore';
import type { PeerDirectory } from '../programs';
import { KafkaCluster } from './cluster';
import { clusterOfPod } from './brokers';
import { MM2_RECORD_COUNT, renderMirrorMakerMetrics } from './exporterMetrics';

const NS = 'databases';

function brokers(store: ClusterStore, start: number) {
  const labels = { app: 'kafka' };
  store.create({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'events-kafka', namespace: NS },
    spec: {
      replicas: 1,
      ordinals: { start },
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'kafka', image: 'apache/kafka:3.9.0' }] },
      },
    },
  });
  store.create({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'events-kafka', namespace: NS },
    spec: { selector: labels },
  });
  store.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `events-kafka-${start}`,
      namespace: NS,
      labels,
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          name: 'events-kafka',
          uid: 'x',
        },
      ],
    },
    status: { phase: 'Running' },
  });
}

const props = (forward: boolean) => `clusters = eu-central, us-east
eu-central.bootstrap.servers = events-kafka-0.eu-central.events-kafka-headless.databases.svc.clusterset.local:9092
us-east.bootstrap.servers = events-kafka:9092
eu-central->us-east.enabled = ${forward}
us-east->eu-central.enabled = ${!forward}
`;

describe('the MirrorMaker 2 series', () => {
  const central = new ClusterStore({
    name: 'eu-central',
    region: 'r',
    zones: [],
  });
  const east = new ClusterStore({ name: 'us-east', region: 'r', zones: [] });
  for (const s of [central, east])
    s.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  brokers(central, 0);
  brokers(east, 20);
  east.create({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'mm2', namespace: NS },
    data: { 'mm2.properties': props(true) },
  });
  const mm = { app: 'mm2', 'backstage.io/kubernetes-id': 'events-kafka' };
  east.create({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'mm2', namespace: NS },
    spec: {
      selector: { matchLabels: { app: 'mm2' } },
      template: {
        metadata: { labels: mm },
        spec: {
          containers: [
            {
              name: 'mm2',
              image: 'apache/kafka:3.9.0',
              command: ['/opt/kafka/bin/connect-mirror-maker.sh'],
            },
          ],
          volumes: [{ name: 'c', configMap: { name: 'mm2' } }],
        },
      },
    },
  });
  east.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'mm2-0', namespace: NS, labels: mm },
    status: { phase: 'Running' },
  });
  const peers: PeerDirectory = {
    store: n => ({ 'eu-central': central, 'us-east': east }[n]),
    reachable: () => true,
    names: () => ['eu-central', 'us-east'],
  };
  const now = () => 1_000_000;

  it('names the flow that runs, with what the source holds', () => {
    const pod = central.peek('', 'Pod', NS, 'events-kafka-0')!;
    const source = new KafkaCluster(clusterOfPod(central, pod)!, now, peers);
    const end = source.offsets().ends['domain-events'][0];
    const text = renderMirrorMakerMetrics('us-east', east, peers, now);
    expect(text).toContain(
      `${MM2_RECORD_COUNT}{namespace="databases",pod="mm2-0",kubernetes_id="events-kafka",source="eu-central",target="us-east",topic="domain-events",partition="0",cluster="us-east"} ${end}\n`,
    );
    expect(
      renderMirrorMakerMetrics('eu-central', central, peers, now),
    ).not.toContain(`${MM2_RECORD_COUNT}{`);
  });

  it('turns around with mm2.properties and stops with MirrorMaker 2', () => {
    const cm = structuredClone(east.peek('', 'ConfigMap', NS, 'mm2')!);
    cm.data = { 'mm2.properties': props(false) };
    east.update(cm);
    const text = renderMirrorMakerMetrics('us-east', east, peers, now);
    expect(text).toContain('source="us-east",target="eu-central"');
    expect(text).not.toContain('target="us-east"');
    const pod = structuredClone(east.peek('', 'Pod', NS, 'mm2-0')!);
    pod.status = { phase: 'Pending' };
    east.updateStatus(pod);
    expect(renderMirrorMakerMetrics('us-east', east, peers, now)).not.toContain(
      `${MM2_RECORD_COUNT}{`,
    );
  });
});
