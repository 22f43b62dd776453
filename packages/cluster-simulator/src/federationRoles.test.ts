/*
 * The world's federation roles and cluster labels reach the running
 * controllers: Karmada acts only in the cluster the world installs it in,
 * places by the labels the world joins members with, and its API server
 * runs no pods for the templates it holds.
 */
import type { KubeObject } from './controllers/types';
import type { RunningSimulator } from './simulator';
import {
  eventually,
  startTestSimulator,
  statefulSet,
} from './testing/testWorld';

jest.setTimeout(30000);

const NS = 'databases';
const KARMADA = 'policy.karmada.io/v1alpha1';
const namespace = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: NS },
};

function propagationPolicy(name: string, clusterAffinity: object): KubeObject {
  return {
    apiVersion: KARMADA,
    kind: 'PropagationPolicy',
    metadata: { name, namespace: NS },
    spec: {
      resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name }],
      placement: {
        clusterAffinity,
        replicaScheduling: { replicaSchedulingType: 'Duplicated' },
      },
    },
  };
}

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startTestSimulator({
    clusters: [
      {
        name: 'eu-central',
        region: 'eu-central-1',
        federationHost: 'karmada',
        objects: [
          namespace,
          statefulSet('catalog'),
          propagationPolicy('catalog', {
            labelSelector: { matchLabels: { tier: 'gold' } },
          }),
        ],
      },
      {
        name: 'eu-west',
        region: 'eu-west-1',
        labels: { tier: 'gold' },
        objects: [
          namespace,
          // A stray policy in a member: no Karmada control plane reads it.
          statefulSet('stray'),
          propagationPolicy('stray', { clusterNames: ['us-east'] }),
        ],
      },
      {
        name: 'us-east',
        region: 'us-east-1',
        labels: { tier: 'silver' },
        objects: [namespace],
      },
    ],
  });
});

afterAll(() => sim.stop());

const store = (cluster: string) => sim.stores.get(cluster)!;
const sts = (cluster: string, name: string) =>
  store(cluster).get('apps/v1', 'StatefulSet', NS, name);
const pods = (cluster: string, app: string) =>
  store(cluster)
    .list('v1', 'Pod', NS)
    .filter(p => p.metadata.labels?.app === app);
const readyPods = (cluster: string, app: string) =>
  pods(cluster, app).filter(p =>
    p.status?.conditions?.some(
      (c: { type: string; status: string }) =>
        c.type === 'Ready' && c.status === 'True',
    ),
  );

describe('federation roles from the world', () => {
  it('gives the stores the roles and labels of the world', () => {
    expect(store('eu-central').federationHost).toBe('karmada');
    expect(store('eu-west').federationHost).toBeUndefined();
    expect(store('eu-west').labels).toEqual({ tier: 'gold' });
  });

  it('places by a world label, ignores a member’s stray policy, and runs no pods for a template', async () => {
    await eventually(() => readyPods('eu-west', 'catalog').length === 2);
    expect(sts('eu-west', 'catalog')!.metadata.labels).toMatchObject({
      'karmada.io/managed': 'true',
    });
    expect(sts('us-east', 'catalog')).toBeUndefined();
    // The stray policy's StatefulSet runs where it is, and only there.
    await eventually(() => readyPods('eu-west', 'stray').length === 2);
    expect(sts('us-east', 'stray')).toBeUndefined();
    // The template on the host has no pods; its status sums the members'.
    await eventually(
      () => sts('eu-central', 'catalog')!.status?.readyReplicas === 2,
    );
    expect(pods('eu-central', 'catalog')).toEqual([]);
  });

  it('runs no copy on the Karmada API server, even where a policy names it', async () => {
    const policy = () =>
      store('eu-central').get(KARMADA, 'PropagationPolicy', NS, 'catalog')!;
    const placed = policy();
    placed.spec.placement.clusterAffinity = {
      clusterNames: ['eu-central', 'eu-west'],
    };
    store('eu-central').update(placed);
    // A few reconcile rounds: long enough for a copy to have started.
    await new Promise(resolve => setTimeout(resolve, 1000));
    expect(pods('eu-central', 'catalog')).toEqual([]);
    expect(readyPods('eu-west', 'catalog')).toHaveLength(2);
  });
});
