/*
 * Plays the MongoDB Community Operator for
 * `mongodbcommunity.mongodb.com/v1` MongoDBCommunity objects: the
 * StatefulSet `<name>` of the replica set's members (and `<name>-arb` for
 * `spec.arbiters`), both labelled `app: <name>-svc` like their pods, the
 * headless Service `<name>-svc`, and the status the operator writes
 * (`phase`, `currentMongoDBMembers`, `currentStatefulSetReplicas`, the
 * arbiter counters, `mongoUri`, `version`).
 *
 * The operator labels no pod with its replica-set state, and one resource
 * is one replica set inside one Kubernetes cluster: nothing replicates
 * between clusters, so no lag record is kept.
 */
import type { ClusterApi, Controller, KubeObject } from '../types';
import { ensure, ownedBy, same } from './shared';

/** The operator's API version. */
export const MONGODB_COMMUNITY_API_VERSION = 'mongodbcommunity.mongodb.com/v1';
const KIND = 'MongoDBCommunity';
const AGENT_IMAGE = 'quay.io/mongodb/mongodb-agent-ubi:108.0.2.8729-1';

function serviceNameOf(mdb: KubeObject): string {
  return mdb.spec?.statefulSet?.spec?.serviceName || `${mdb.metadata.name}-svc`;
}

function desiredStatefulSet(
  mdb: KubeObject,
  name: string,
  replicas: number,
): KubeObject {
  const labels = { app: serviceNameOf(mdb) };
  const version = String(mdb.spec?.version ?? '8.0.4');
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name,
      namespace: mdb.metadata.namespace,
      // The custom StatefulSet's labels are merged into the operator's.
      labels: { ...labels, ...(mdb.spec?.statefulSet?.metadata?.labels ?? {}) },
      ownerReferences: ownedBy(mdb),
    },
    spec: {
      replicas,
      serviceName: serviceNameOf(mdb),
      updateStrategy: { type: 'RollingUpdate' },
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: 'mongodb-database',
          containers: [
            {
              name: 'mongodb-agent',
              image: AGENT_IMAGE,
              env: [
                {
                  name: 'AUTOMATION_CONFIG_MAP',
                  value: `${mdb.metadata.name}-config`,
                },
              ],
              volumeMounts: [
                { name: 'data-volume', mountPath: '/data', subPath: 'data' },
              ],
            },
            {
              name: 'mongod',
              image: `quay.io/mongodb/mongodb-community-server:${version}-ubi8`,
              ports: [{ name: 'mongodb', containerPort: 27017 }],
              volumeMounts: [
                { name: 'data-volume', mountPath: '/data', subPath: 'data' },
              ],
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data-volume' },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: '10G' } },
          },
        },
      ],
    },
  };
}

function desiredService(mdb: KubeObject): KubeObject {
  const name = serviceNameOf(mdb);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: mdb.metadata.namespace,
      labels: { app: name },
      ownerReferences: ownedBy(mdb),
    },
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: { app: name },
      ports: [{ name: 'mongodb', port: 27017, targetPort: 27017 }],
    },
  };
}

function readyPods(api: ClusterApi, sts: KubeObject): KubeObject[] {
  return api
    .list('v1', 'Pod', sts.metadata.namespace)
    .filter(
      p =>
        (p.metadata.ownerReferences ?? []).some(
          o => o.kind === 'StatefulSet' && o.uid === sts.metadata.uid,
        ) &&
        !p.metadata.deletionTimestamp &&
        (p.status?.conditions ?? []).some(
          (c: any) => c?.type === 'Ready' && c.status === 'True',
        ),
    );
}

function reconcileCommunity(api: ClusterApi, mdb: KubeObject): void {
  const { name } = mdb.metadata;
  const namespace = mdb.metadata.namespace ?? 'default';
  const members = Math.max(0, Number(mdb.spec?.members ?? 1));
  const arbiters = Math.max(0, Number(mdb.spec?.arbiters ?? 0));
  const sts = ensure(api, desiredStatefulSet(mdb, name, members));
  const arb =
    arbiters > 0
      ? ensure(api, desiredStatefulSet(mdb, `${name}-arb`, arbiters))
      : undefined;
  if (!arb && api.get('apps/v1', 'StatefulSet', namespace, `${name}-arb`)) {
    api.delete('apps/v1', 'StatefulSet', namespace, `${name}-arb`);
  }
  ensure(api, desiredService(mdb));

  const readyMembers = readyPods(api, sts).length;
  const readyArbiters = arb ? readyPods(api, arb).length : 0;
  const service = serviceNameOf(mdb);
  const hosts = Array.from(
    { length: members },
    (_, i) => `${name}-${i}.${service}.${namespace}.svc.cluster.local:27017`,
  );
  const status: Record<string, unknown> = {
    phase:
      readyMembers >= members && readyArbiters >= arbiters
        ? 'Running'
        : 'Pending',
    currentMongoDBMembers: readyMembers,
    currentStatefulSetReplicas: readyMembers,
    ...(arbiters > 0
      ? {
          currentMongoDBArbiters: readyArbiters,
          currentStatefulSetArbitersReplicas: readyArbiters,
        }
      : {}),
    mongoUri: `mongodb://${hosts.join(',')}/?replicaSet=${name}`,
    version: String(mdb.spec?.version ?? ''),
  };
  if (!same(mdb.status ?? {}, status)) {
    api.updateStatus({ ...mdb, status });
  }
}

/** The MongoDB Community Operator, run in every cluster that has its resources. */
export function mongodbCommunityController(): Controller {
  return {
    name: 'mongodbcommunity',
    reconcile(ctx) {
      if (ctx.isDown(ctx.cluster.name)) return;
      let resources: KubeObject[];
      try {
        resources = ctx.cluster.list(MONGODB_COMMUNITY_API_VERSION, KIND);
      } catch {
        // The CRD is not installed in this cluster: nothing to operate.
        return;
      }
      for (const mdb of resources) {
        if (!mdb.metadata.deletionTimestamp)
          reconcileCommunity(ctx.cluster, mdb);
      }
    },
  };
}
