/*
 * The defaults the API server fills into built-in objects on write (what
 * `kubectl get -o yaml` shows back): workload specs, pod templates, services.
 */
import type { KubeObject } from '../controllers/types';

function defaultContainer(c: any): void {
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.imagePullPolicy ??=
    typeof c.image === 'string' &&
    (c.image.endsWith(':latest') || !/:[^/]+$/.test(c.image))
      ? 'Always'
      : 'IfNotPresent';
  c.resources ??= {};
  for (const p of c.ports ?? []) p.protocol ??= 'TCP';
}

/** Fills pod spec defaults in place. */
export function defaultPodSpec(spec: any): void {
  if (!spec || typeof spec !== 'object') return;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
}

let nextIp = 1;

/** Fills the defaults of a built-in kind in place (the object is being written). */
export function applyDefaults(
  group: string,
  obj: KubeObject,
  existing?: KubeObject,
): void {
  const spec = obj.spec;
  switch (`${group}/${obj.kind}`) {
    case 'apps/StatefulSet':
      if (!spec) return;
      spec.replicas ??= 1;
      spec.podManagementPolicy ??= 'OrderedReady';
      spec.updateStrategy ??= {
        type: 'RollingUpdate',
        rollingUpdate: { partition: 0 },
      };
      if (spec.updateStrategy.type === 'RollingUpdate') {
        spec.updateStrategy.rollingUpdate ??= { partition: 0 };
      }
      spec.revisionHistoryLimit ??= 10;
      spec.persistentVolumeClaimRetentionPolicy ??= {
        whenDeleted: 'Retain',
        whenScaled: 'Retain',
      };
      defaultPodSpec(spec.template?.spec);
      for (const t of spec.volumeClaimTemplates ?? []) {
        t.apiVersion ??= 'v1';
        t.kind ??= 'PersistentVolumeClaim';
        t.spec ??= {};
        t.spec.volumeMode ??= 'Filesystem';
      }
      return;
    case 'apps/Deployment':
    case 'apps/ReplicaSet':
    case 'apps/DaemonSet':
      if (!spec) return;
      if (obj.kind !== 'DaemonSet') spec.replicas ??= 1;
      spec.revisionHistoryLimit ??= 10;
      defaultPodSpec(spec.template?.spec);
      return;
    case '/Pod':
      defaultPodSpec(spec);
      return;
    case '/Service':
      if (!spec) return;
      spec.type ??= 'ClusterIP';
      spec.sessionAffinity ??= 'None';
      if (spec.type !== 'ExternalName') {
        spec.clusterIP ??=
          existing?.spec?.clusterIP ??
          `10.96.${Math.floor(nextIp / 250) % 250}.${(nextIp++ % 250) + 2}`;
        spec.clusterIPs ??= [spec.clusterIP];
        spec.ipFamilies ??= ['IPv4'];
        spec.ipFamilyPolicy ??= 'SingleStack';
        spec.internalTrafficPolicy ??= 'Cluster';
      }
      for (const p of spec.ports ?? []) {
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
      }
      return;
    case '/PersistentVolumeClaim':
      if (!spec) return;
      spec.volumeMode ??= 'Filesystem';
      obj.status ??= { phase: 'Pending' };
      return;
    case '/PersistentVolume':
      if (!spec) return;
      spec.persistentVolumeReclaimPolicy ??= 'Retain';
      spec.volumeMode ??= 'Filesystem';
      obj.status ??= { phase: spec.claimRef ? 'Bound' : 'Available' };
      return;
    case '/Secret':
      (obj as any).type ??= 'Opaque';
      if ((obj as any).stringData) {
        const data = ((obj as any).data ??= {});
        for (const [k, v] of Object.entries((obj as any).stringData)) {
          data[k] = Buffer.from(String(v)).toString('base64');
        }
        delete (obj as any).stringData;
      }
      return;
    default:
      return;
  }
}
