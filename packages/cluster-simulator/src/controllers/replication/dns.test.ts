/*
 * The DNS each routing provides, name by name, from one cluster's pods.
 */
import { FakeCluster, FakeWorld } from '../testing';
import type { KubeObject } from '../types';
import { mcsClusterId, resolveHost } from './dns';

const NS = 'data';

function service(name: string, headless = false): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NS },
    spec: { ...(headless ? { clusterIP: 'None' } : {}), ports: [{ port: 1 }] },
  };
}

function statefulSet(name: string, start: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: NS },
    spec: { replicas: 2, ordinals: { start }, serviceName: `${name}-headless` },
  };
}

const istio: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'serviceentries.networking.istio.io' },
};

function world(mesh: boolean): FakeWorld {
  const w = FakeWorld.demo();
  w.ensureNamespace(NS);
  const starts: Record<string, number> = {
    'eu-central': 0,
    'eu-west': 3,
    'us-east': 5,
  };
  for (const [name, c] of w.clusters) {
    if (mesh) c.create(istio);
    c.create(service('db'));
    c.create(service('db-headless', true));
    c.create(service(`db-${name}`));
    c.create(statefulSet('db', starts[name]));
  }
  return w;
}

const from = (w: FakeWorld, cluster: string, host: string) =>
  resolveHost(host, w.cluster(cluster), w.clusters, NS);

describe('cluster.local names', () => {
  it('resolve only inside their cluster without a mesh', () => {
    const w = world(false);
    expect(
      from(w, 'eu-west', 'db-eu-west.data.svc.cluster.local').cluster,
    ).toBe('eu-west');
    expect(
      from(w, 'eu-west', 'db-eu-central.data.svc.cluster.local').error,
    ).toBe(
      'db-eu-central.data.svc.cluster.local does not resolve in eu-west: no Service data/db-eu-central there, and cluster.local names resolve only inside their cluster',
    );
    expect(
      from(w, 'eu-west', 'db-0.db-headless.data.svc.cluster.local').error,
    ).toContain('no pod db-0 behind a headless Service data/db-headless');
    expect(from(w, 'eu-west', 'db-3.db-headless').cluster).toBe('eu-west');
  });

  it('in an Istio mesh, lead to the one cluster with the Service, or the local one', () => {
    const w = world(true);
    expect(
      from(w, 'eu-west', 'db-eu-central.data.svc.cluster.local').cluster,
    ).toBe('eu-central');
    expect(from(w, 'eu-west', 'db-eu-central.data').cluster).toBe('eu-central');
    expect(from(w, 'eu-west', 'db.data.svc.cluster.local').cluster).toBe(
      'eu-west',
    );
    // Pod names stay with the cluster's own DNS.
    expect(
      from(w, 'eu-west', 'db-0.db-headless.data.svc.cluster.local').error,
    ).toBeDefined();
  });

  it('in a mesh, a Service several remote clusters have leads to no one source', () => {
    const w = world(true);
    w.cluster('eu-west').delete('v1', 'Service', NS, 'db');
    expect(from(w, 'eu-west', 'db.data.svc.cluster.local').error).toBe(
      'db.data.svc.cluster.local leads to several mesh clusters (eu-central, us-east), not to one source',
    );
  });
});

describe('clusterset.local names', () => {
  function exported(w: FakeWorld, cluster: string, name: string) {
    w.cluster(cluster).create({
      apiVersion: 'multicluster.x-k8s.io/v1alpha1',
      kind: 'ServiceExport',
      metadata: { name, namespace: NS },
    });
  }

  it('lead to the exporting cluster, pods by their MCS cluster id', () => {
    const w = world(false);
    exported(w, 'eu-central', 'db-eu-central');
    exported(w, 'eu-central', 'db-headless');
    exported(w, 'eu-west', 'db-headless');
    expect(
      from(w, 'us-east', 'db-eu-central.data.svc.clusterset.local').cluster,
    ).toBe('eu-central');
    expect(
      from(w, 'us-east', 'db-4.eu-west.db-headless.data.svc.clusterset.local')
        .cluster,
    ).toBe('eu-west');
    expect(
      from(w, 'us-east', 'db-0.eu-west.db-headless.data.svc.clusterset.local')
        .error,
    ).toBe(
      'db-0.eu-west.db-headless.data.svc.clusterset.local does not resolve: cluster eu-west has no pod db-0 behind the headless Service data/db-headless',
    );
    expect(
      from(w, 'us-east', 'db-us-east.data.svc.clusterset.local').error,
    ).toBe(
      'db-us-east.data.svc.clusterset.local does not resolve: no cluster exports Service data/db-us-east (a ServiceExport is missing)',
    );
  });

  it('follow a ClusterProperty that gives the cluster another id', () => {
    const w = world(false);
    exported(w, 'eu-central', 'db-headless');
    const central: FakeCluster = w.cluster('eu-central');
    central.create({
      apiVersion: 'about.k8s.io/v1alpha1',
      kind: 'ClusterProperty',
      metadata: { name: 'cluster.clusterset.k8s.io' },
      spec: { value: 'ec1' },
    });
    expect(mcsClusterId(central)).toBe('ec1');
    expect(
      from(w, 'eu-west', 'db-0.ec1.db-headless.data.svc.clusterset.local')
        .cluster,
    ).toBe('eu-central');
  });
});

describe('the Karmada API server', () => {
  it('answers no name: its Services are templates that run nowhere', () => {
    const w = world(true);
    const karmada = new FakeCluster({
      name: 'karmada',
      region: 'eu-central-1',
      federationHost: 'karmada',
    });
    karmada.create({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: NS },
    });
    karmada.create(istio);
    karmada.create(service('only-a-template'));
    w.clusters.set('karmada', karmada);
    expect(
      from(w, 'eu-west', 'only-a-template.data.svc.cluster.local').error,
    ).toBe(
      'only-a-template.data.svc.cluster.local does not resolve in eu-west: no mesh cluster has a Service data/only-a-template',
    );
  });
});
