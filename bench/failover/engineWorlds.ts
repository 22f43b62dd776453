/*
 * The simulated worlds the engine-native switchover benchmark runs in, set
 * up as the failover API's simulator tests set them up: the demo world for
 * the StatefulSet databases, inventory-kubefed's StatefulSets placed as
 * KubeFed places them (without the FederatedStatefulSet, which would put
 * the role annotations back after each run), and `payments` with the
 * simulated Percona operator and a Prometheus stand-in answering from the
 * clusters' own `/metrics` (the operator's status carries no lag).
 */
import { Entity } from '@backstage/catalog-model';
import {
  RunningSimulator,
  startSimulator,
} from '@multicluster/cluster-simulator';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  databaseEntity,
  demoFilesWorld,
} from '../../plugins/statefulsets-backend/src/__testUtils__/simulatedDatabases';
import { inventoryWorld } from '../../plugins/statefulsets-backend/src/failover/__testUtils__/inventoryWorld';
import { until } from '../../plugins/statefulsets-backend/src/failover/__testUtils__/restFailover';
import { HttpClusterWriteClient } from '../../plugins/statefulsets-backend/src/failover/HttpClusterWriteClient';

const ROOT = path.resolve(__dirname, '../..');

/** How fast the simulator's controllers run. */
export interface WorldSpeed {
  readinessDelayMs: number;
  tickMs: number;
}

/** A demo database's catalog entity, as examples/databases.yaml declares it. */
export function catalogEntity(name: string): Entity {
  const text = fs.readFileSync(
    path.join(ROOT, 'examples/databases.yaml'),
    'utf8',
  );
  const entity = parseAllDocuments(text)
    .map(d => d.toJS() as Entity)
    .find(e => e?.kind === 'Component' && e.metadata.name === name);
  if (!entity) throw new Error(`${name} is not in examples/databases.yaml`);
  return { ...entity, metadata: { namespace: 'default', ...entity.metadata } };
}

/** inventory-kubefed alone, placed as KubeFed places it (see inventoryWorld). */
export function startInventoryWorld(
  speed: WorldSpeed,
): Promise<RunningSimulator> {
  return startSimulator({
    world: inventoryWorld(),
    portBase: 0,
    adminPort: 0,
    ...speed,
    onError: () => undefined,
  });
}

const PAYMENTS_REF = 'component:default/payments';

/** `payments` as the REST test declares it: found by the operator's labels. */
export function paymentsEntity(): Entity {
  const base = databaseEntity('payments', 'mysql', {
    selector:
      'app.kubernetes.io/instance=payments,app.kubernetes.io/name=percona-xtradb-cluster',
  });
  return {
    ...base,
    metadata: {
      ...base.metadata,
      annotations: {
        ...base.metadata.annotations,
        'multicluster-statefulsets/strategy': 'active-passive',
        'multicluster-statefulsets/max-failover-lag': '5',
      },
    },
  };
}

/** eu-central and eu-west with the Percona operator running `payments`. */
export function startPaymentsWorld(
  speed: WorldSpeed,
): Promise<RunningSimulator> {
  return startSimulator({
    world: demoFilesWorld({
      clusters: ['eu-central', 'eu-west'],
      operators: ['percona'],
      files: ['payments-pxc.yaml'],
    }),
    portBase: 0,
    adminPort: 0,
    ...speed,
    onError: () => undefined,
  });
}

/**
 * Stamps the operator's StatefulSets of `payments` for the entity, as
 * their owner does, and waits until every pxc pod of the current revision
 * is ready.
 */
export async function preparePayments(
  clients: HttpClusterWriteClient[],
): Promise<void> {
  for (const c of clients) {
    for (const sts of ['payments-haproxy', 'payments-pxc']) {
      const p = `/apis/apps/v1/namespaces/databases/statefulsets/${sts}`;
      await until(() => c.get(p), `${sts} in ${c.cluster}`);
      await c.mergePatch(p, {
        metadata: {
          annotations: {
            'multicluster-statefulsets/owner-entity': PAYMENTS_REF,
          },
        },
      });
    }
    await until(async () => {
      const sts = await c.get(
        '/apis/apps/v1/namespaces/databases/statefulsets/payments-pxc',
      );
      const st = sts?.status ?? {};
      return st.readyReplicas === sts?.spec?.replicas &&
        st.updatedReplicas === sts?.spec?.replicas &&
        st.currentRevision === st.updateRevision
        ? true
        : undefined;
    }, `payments-pxc ready in ${c.cluster}`);
  }
}

/**
 * Declares sessions-mongodb's sides without the elected primary passive:
 * the portal reads the roles the engine reports through Prometheus, which
 * the simulated world has not.
 */
export async function prepareMongo(
  clients: HttpClusterWriteClient[],
  passive: string[],
): Promise<void> {
  for (const c of clients.filter(x => passive.includes(x.cluster))) {
    await c.mergePatch(
      '/apis/apps/v1/namespaces/databases/statefulsets/sessions-mongodb',
      {
        metadata: {
          annotations: { 'multicluster-statefulsets/role': 'passive' },
        },
      },
    );
  }
}
