import { ClusterStore } from '../../store/ClusterStore';
import type { KubeObject } from '../../controllers/types';
import { initialTopology } from './initialTopology';

function statefulSet(
  name: string,
  start: number,
  annotations: Record<string, string> = {},
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: 'db', annotations },
    spec: { serviceName: `${name}-headless`, ordinals: { start } },
  };
}

function pod(name: string, owner: string, ordinal: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'db',
      labels: { 'apps.kubernetes.io/pod-index': String(ordinal) },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'StatefulSet', name: owner, uid: owner },
      ],
    },
  };
}

describe('where a fresh MySQL server starts', () => {
  const central = new ClusterStore({
    name: 'eu-central',
    region: 'r',
    zones: [],
  });
  const west = new ClusterStore({ name: 'eu-west', region: 'r', zones: [] });
  for (const store of [central, west]) {
    store.create({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'db' },
    });
  }
  central.create(statefulSet('orders', 0));
  west.create(
    statefulSet('orders', 10, {
      'multicluster-statefulsets/role': 'passive',
      'multicluster-statefulsets/replication-source': 'eu-central',
    }),
  );
  const peers = {
    store: (name: string) => (name === 'eu-central' ? central : west),
    reachable: () => true,
  };

  it('is a writable source as the active cluster’s first pod', () => {
    expect(
      initialTopology(central, pod('orders-0', 'orders', 0), peers),
    ).toEqual({ readOnly: false });
  });

  it("follows its cluster's first pod otherwise, on a channel named after the cluster", () => {
    expect(
      initialTopology(central, pod('orders-1', 'orders', 1), peers),
    ).toEqual({
      readOnly: true,
      channel: 'eu-central',
      source: {
        host: 'orders-0.orders-headless',
        port: 3306,
        user: 'replicator',
        autoPosition: true,
      },
    });
  });

  it("follows the source cluster's first pod as a passive cluster's first pod", () => {
    expect(
      initialTopology(west, pod('orders-10', 'orders', 10), peers),
    ).toMatchObject({
      readOnly: true,
      channel: 'eu-central',
      source: {
        host: 'orders-0.eu-central.orders-headless.db.svc.clusterset.local',
      },
    });
  });

  it("replicates, read-only, from a Helm chart replica's MYSQL_MASTER_HOST", () => {
    const chart: KubeObject = {
      ...statefulSet('shop-secondary', 0),
      spec: {
        serviceName: 'shop-secondary',
        template: {
          spec: {
            containers: [
              {
                name: 'mysql',
                env: [
                  { name: 'MYSQL_REPLICATION_MODE', value: 'slave' },
                  {
                    name: 'MYSQL_MASTER_HOST',
                    value: 'shop-primary.db.svc.clusterset.local',
                  },
                ],
              },
            ],
          },
        },
      },
    };
    west.create(chart);
    expect(
      initialTopology(west, pod('shop-secondary-0', 'shop-secondary', 0)),
    ).toMatchObject({
      readOnly: true,
      source: { host: 'shop-primary.db.svc.clusterset.local' },
    });
  });
});
