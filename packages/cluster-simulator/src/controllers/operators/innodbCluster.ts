/*
 * Plays the MySQL Operator for `mysql.oracle.com/v2` InnoDBCluster objects:
 * the StatefulSet `<name>` with the operator's labels (Group Replication
 * members, Parallel pod management), the headless `<name>-instances`
 * Service, the `mysql.oracle.com/cluster-role` label (PRIMARY on the
 * lowest ready member, SECONDARY on the others, none on a member not
 * ONLINE) with the member's `mysql.oracle.com/membership-info`, and
 * `status.cluster` (`status`, `onlineInstances`, `lastProbeTime`).
 *
 * MySQL Router is not run: a world that needs client routing declares it
 * itself. The operator replicates nothing between Kubernetes clusters, so
 * no lag record is kept.
 */
import { isoSeconds } from '../../api/timestamp';
import type { ClusterApi, Controller, KubeObject } from '../types';
import { ensure, ownedBy } from './shared';

/** The operator's API version. */
export const INNODB_API_VERSION = 'mysql.oracle.com/v2';
const KIND = 'InnoDBCluster';
/** The pod label with an ONLINE member's Group Replication role. */
export const CLUSTER_ROLE = 'mysql.oracle.com/cluster-role';
const MEMBERSHIP = 'mysql.oracle.com/membership-info';
const OPERATOR_IMAGE =
  'container-registry.oracle.com/mysql/community-operator:9.1.0-2.2.2';

function desiredStatefulSet(ic: KubeObject): KubeObject {
  const { name } = ic.metadata;
  const spec = ic.spec ?? {};
  const version = String(spec.version ?? '9.1.0');
  const common = {
    tier: 'mysql',
    'mysql.oracle.com/cluster': name,
    'mysql.oracle.com/instance-type': 'group-member',
  };
  const managed = {
    'app.kubernetes.io/component': 'database',
    'app.kubernetes.io/managed-by': 'mysql-operator',
    'app.kubernetes.io/created-by': 'mysql-operator',
  };
  const podLabels = {
    component: 'mysqld',
    ...common,
    'app.kubernetes.io/name': 'mysql-innodbcluster-mysql-server',
    'app.kubernetes.io/instance': `mysql-innodbcluster-${name}-mysql-server`,
    ...managed,
    ...(spec.podLabels ?? {}),
  };
  const claim = spec.datadirVolumeClaimTemplate ?? {};
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name,
      namespace: ic.metadata.namespace,
      labels: {
        ...common,
        'app.kubernetes.io/name': 'mysql-innodbcluster',
        'app.kubernetes.io/instance': `mysql-innodbcluster-${name}`,
        ...managed,
      },
      ownerReferences: ownedBy(ic),
    },
    spec: {
      replicas: Math.max(0, Number(spec.instances ?? 1)),
      serviceName: `${name}-instances`,
      podManagementPolicy: 'Parallel',
      selector: {
        matchLabels: Object.fromEntries(
          Object.entries(podLabels).filter(([k]) => !(spec.podLabels ?? {})[k]),
        ),
      },
      template: {
        metadata: { labels: podLabels },
        spec: {
          containers: [
            {
              name: 'sidecar',
              image: OPERATOR_IMAGE,
              command: ['mysqlsh', '--pym', 'mysqloperator', 'sidecar'],
            },
            {
              name: 'mysql',
              image: `container-registry.oracle.com/mysql/community-server:${version}`,
              args: ['mysqld', '--user=mysql'],
              ports: [
                { name: 'mysql', containerPort: 3306 },
                { name: 'mysqlx', containerPort: 33060 },
                { name: 'gr-xcom', containerPort: 33061 },
              ],
              volumeMounts: [{ name: 'datadir', mountPath: '/var/lib/mysql' }],
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'datadir' },
          spec: {
            accessModes: claim.accessModes ?? ['ReadWriteOnce'],
            resources: claim.resources ?? { requests: { storage: '2Gi' } },
            ...(claim.storageClassName
              ? { storageClassName: claim.storageClassName }
              : {}),
          },
        },
      ],
    },
  };
}

function desiredInstancesService(ic: KubeObject): KubeObject {
  const { name } = ic.metadata;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: `${name}-instances`,
      namespace: ic.metadata.namespace,
      labels: {
        tier: 'mysql',
        'mysql.oracle.com/cluster': name,
        'mysql.oracle.com/instance-type': 'group-member',
      },
      ownerReferences: ownedBy(ic),
    },
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: {
        component: 'mysqld',
        tier: 'mysql',
        'mysql.oracle.com/cluster': name,
        'mysql.oracle.com/instance-type': 'group-member',
      },
      ports: [
        { name: 'mysql', port: 3306, targetPort: 3306 },
        { name: 'mysqlx', port: 33060, targetPort: 33060 },
        { name: 'gr-xcom', port: 33061, targetPort: 33061 },
      ],
    },
  };
}

function ordinalOf(pod: KubeObject): number {
  const match = /-(\d+)$/.exec(pod.metadata.name);
  return match ? Number(match[1]) : 0;
}

function isReady(pod: KubeObject): boolean {
  return (
    pod.status?.phase === 'Running' &&
    !pod.metadata.deletionTimestamp &&
    (pod.status?.conditions ?? []).some(
      (c: any) => c?.type === 'Ready' && c.status === 'True',
    )
  );
}

/**
 * The group's part: ready members are ONLINE, the lowest ordinal among them
 * the PRIMARY (single-primary mode). Returns the ONLINE member count.
 */
function labelMembers(
  api: ClusterApi,
  ic: KubeObject,
  sts: KubeObject,
  now: number,
): number {
  const pods = api
    .list('v1', 'Pod', ic.metadata.namespace)
    .filter(p =>
      (p.metadata.ownerReferences ?? []).some(
        o => o.kind === 'StatefulSet' && o.uid === sts.metadata.uid,
      ),
    )
    .sort((a, b) => ordinalOf(a) - ordinalOf(b));
  const online = pods.filter(isReady);
  const primary = online[0]?.metadata.name;
  const version = String(ic.spec?.version ?? '9.1.0');
  for (const pod of pods) {
    let role: string | undefined;
    if (online.includes(pod)) {
      role = pod.metadata.name === primary ? 'PRIMARY' : 'SECONDARY';
    }
    if (pod.metadata.labels?.[CLUSTER_ROLE] === role) continue;
    const labels = { ...pod.metadata.labels };
    if (role) labels[CLUSTER_ROLE] = role;
    else delete labels[CLUSTER_ROLE];
    const membership = {
      memberId: pod.metadata.uid ?? pod.metadata.name,
      lastTransitionTime: isoSeconds(now),
      lastProbeTime: isoSeconds(now),
      status: role ? 'ONLINE' : 'OFFLINE',
      version,
      ...(role ? { role } : {}),
    };
    api.update({
      ...pod,
      metadata: {
        ...pod.metadata,
        labels,
        annotations: {
          ...pod.metadata.annotations,
          [MEMBERSHIP]: JSON.stringify(membership),
        },
      },
    });
  }
  return online.length;
}

function groupStatus(online: number, wanted: number, probed: boolean): string {
  if (online === 0) return probed ? 'OFFLINE' : 'PENDING';
  return online >= wanted ? 'ONLINE' : 'ONLINE_PARTIAL';
}

function reconcileInnodbCluster(
  api: ClusterApi,
  ic: KubeObject,
  now: number,
): void {
  const sts = ensure(api, desiredStatefulSet(ic));
  ensure(api, desiredInstancesService(ic));
  const online = labelMembers(api, ic, sts, now);
  const wanted = Math.max(0, Number(ic.spec?.instances ?? 1));
  const previous = ic.status?.cluster;
  const status = groupStatus(
    online,
    wanted,
    previous?.status !== undefined && previous.status !== 'PENDING',
  );
  if (previous?.status === status && previous?.onlineInstances === online) {
    return;
  }
  api.updateStatus({
    ...ic,
    status: {
      ...ic.status,
      cluster: {
        status,
        onlineInstances: online,
        lastProbeTime: isoSeconds(now),
      },
    },
  });
}

/** The MySQL Operator, run in every cluster that has InnoDBCluster objects. */
export function innodbClusterController(): Controller {
  return {
    name: 'innodbcluster',
    reconcile(ctx) {
      if (ctx.isDown(ctx.cluster.name)) return;
      let clusters: KubeObject[];
      try {
        clusters = ctx.cluster.list(INNODB_API_VERSION, KIND);
      } catch {
        // The CRD is not installed in this cluster: nothing to operate.
        return;
      }
      for (const ic of clusters) {
        if (!ic.metadata.deletionTimestamp) {
          reconcileInnodbCluster(ctx.cluster, ic, ctx.now());
        }
      }
    },
  };
}
