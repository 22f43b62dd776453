/*
 * The Table printers of the built-in kinds, column for column as upstream's
 * printers (pkg/printers/internalversion) print them, so `kubectl get`
 * output looks as it does against a real cluster.
 */
import { Printer, age, col, nameCol, since } from './tableCells';

function podStatus(p: any): string {
  if (p.metadata?.deletionTimestamp) return 'Terminating';
  const waiting = (p.status?.containerStatuses ?? []).find(
    (c: any) => c.state?.waiting?.reason,
  );
  if (waiting) return waiting.state.waiting.reason;
  return p.status?.reason ?? p.status?.phase ?? 'Pending';
}

function accessModes(modes: string[] | undefined): string {
  const short: Record<string, string> = {
    ReadWriteOnce: 'RWO',
    ReadOnlyMany: 'ROX',
    ReadWriteMany: 'RWX',
    ReadWriteOncePod: 'RWOP',
  };
  return (modes ?? []).map(m => short[m] ?? m).join(',');
}

function servicePorts(s: any): string {
  const ports = (s.spec?.ports ?? []).map(
    (p: any) =>
      `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`,
  );
  return ports.length ? ports.join(',') : '<none>';
}

function selectorString(sel: Record<string, string> | undefined): string {
  const e = Object.entries(sel ?? {});
  return e.length ? e.map(([k, v]) => `${k}=${v}`).join(',') : '<none>';
}

function containers(o: any): any[] {
  return o.spec?.template?.spec?.containers ?? [];
}

/** The printer of each built-in kind this product shows, by group/kind. */
export const BUILTIN_PRINTERS: Record<string, Printer> = {
  'apps/StatefulSet': {
    columns: [
      nameCol,
      col('Ready'),
      col('Age'),
      col('Containers', 'string', 1),
      col('Images', 'string', 1),
    ],
    cells: (o, now) => [
      o.metadata.name,
      `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 1}`,
      age(o, now),
      containers(o)
        .map((c: any) => c.name)
        .join(','),
      containers(o)
        .map((c: any) => c.image)
        .join(','),
    ],
  },
  'apps/Deployment': {
    columns: [
      nameCol,
      col('Ready'),
      col('Up-to-date', 'integer'),
      col('Available', 'integer'),
      col('Age'),
      col('Containers', 'string', 1),
      col('Images', 'string', 1),
      col('Selector', 'string', 1),
    ],
    cells: (o, now) => [
      o.metadata.name,
      `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 1}`,
      o.status?.updatedReplicas ?? 0,
      o.status?.availableReplicas ?? 0,
      age(o, now),
      containers(o)
        .map((c: any) => c.name)
        .join(','),
      containers(o)
        .map((c: any) => c.image)
        .join(','),
      selectorString(o.spec?.selector?.matchLabels),
    ],
  },
  '/Pod': {
    columns: [
      nameCol,
      col('Ready'),
      col('Status'),
      col('Restarts', 'string'),
      col('Age'),
      col('IP', 'string', 1),
      col('Node', 'string', 1),
      col('Nominated Node', 'string', 1),
      col('Readiness Gates', 'string', 1),
    ],
    cells: (o, now) => {
      const cs: any[] = o.status?.containerStatuses ?? [];
      const total = (o.spec?.containers ?? []).length;
      return [
        o.metadata.name,
        `${cs.filter(c => c.ready).length}/${total}`,
        podStatus(o),
        String(cs.reduce((n, c) => n + (c.restartCount ?? 0), 0)),
        age(o, now),
        o.status?.podIP ?? '<none>',
        o.spec?.nodeName ?? '<none>',
        '<none>',
        '<none>',
      ];
    },
  },
  '/Service': {
    columns: [
      nameCol,
      col('Type'),
      col('Cluster-IP'),
      col('External-IP'),
      col('Port(s)'),
      col('Age'),
      col('Selector', 'string', 1),
    ],
    cells: (o, now) => [
      o.metadata.name,
      o.spec?.type ?? 'ClusterIP',
      o.spec?.clusterIP ?? '<none>',
      (o.status?.loadBalancer?.ingress ?? [])
        .map((i: any) => i.ip ?? i.hostname)
        .join(',') ||
        (o.spec?.type === 'LoadBalancer' ? '<pending>' : '<none>'),
      servicePorts(o),
      age(o, now),
      selectorString(o.spec?.selector),
    ],
  },
  '/PersistentVolumeClaim': {
    columns: [
      nameCol,
      col('Status'),
      col('Volume'),
      col('Capacity'),
      col('Access Modes'),
      col('StorageClass'),
      col('VolumeAttributesClass'),
      col('Age'),
      col('VolumeMode', 'string', 1),
    ],
    cells: (o, now) => [
      o.metadata.name,
      o.status?.phase ?? 'Pending',
      o.spec?.volumeName ?? '',
      o.status?.capacity?.storage ?? '',
      accessModes(o.status?.accessModes ?? o.spec?.accessModes),
      o.spec?.storageClassName ?? '<unset>',
      o.spec?.volumeAttributesClassName ?? '<unset>',
      age(o, now),
      o.spec?.volumeMode ?? 'Filesystem',
    ],
  },
  '/PersistentVolume': {
    columns: [
      nameCol,
      col('Capacity'),
      col('Access Modes'),
      col('Reclaim Policy'),
      col('Status'),
      col('Claim'),
      col('StorageClass'),
      col('VolumeAttributesClass'),
      col('Reason'),
      col('Age'),
      col('VolumeMode', 'string', 1),
    ],
    cells: (o, now) => [
      o.metadata.name,
      o.spec?.capacity?.storage ?? '',
      accessModes(o.spec?.accessModes),
      o.spec?.persistentVolumeReclaimPolicy ?? 'Retain',
      o.status?.phase ?? 'Available',
      o.spec?.claimRef
        ? `${o.spec.claimRef.namespace}/${o.spec.claimRef.name}`
        : '',
      o.spec?.storageClassName ?? '',
      o.spec?.volumeAttributesClassName ?? '<unset>',
      o.status?.reason ?? '',
      age(o, now),
      o.spec?.volumeMode ?? 'Filesystem',
    ],
  },
  '/Node': {
    columns: [
      nameCol,
      col('Status'),
      col('Roles'),
      col('Age'),
      col('Version'),
      col('Internal-IP', 'string', 1),
      col('External-IP', 'string', 1),
      col('OS-Image', 'string', 1),
      col('Kernel-Version', 'string', 1),
      col('Container-Runtime', 'string', 1),
    ],
    cells: (o, now) => {
      const ready = (o.status?.conditions ?? []).find(
        (c: any) => c.type === 'Ready',
      );
      const roles = Object.keys(o.metadata.labels ?? {})
        .filter(l => l.startsWith('node-role.kubernetes.io/'))
        .map(l => l.slice('node-role.kubernetes.io/'.length));
      const addr = (t: string) =>
        (o.status?.addresses ?? []).find((a: any) => a.type === t)?.address ??
        '<none>';
      const info = o.status?.nodeInfo ?? {};
      return [
        o.metadata.name,
        ready?.status === 'True' ? 'Ready' : 'NotReady',
        roles.length ? roles.join(',') : '<none>',
        age(o, now),
        info.kubeletVersion ?? '',
        addr('InternalIP'),
        addr('ExternalIP'),
        info.osImage ?? '<unknown>',
        info.kernelVersion ?? '<unknown>',
        info.containerRuntimeVersion ?? '<unknown>',
      ];
    },
  },
  '/Namespace': {
    columns: [nameCol, col('Status'), col('Age')],
    cells: (o, now) => [
      o.metadata.name,
      o.status?.phase ?? 'Active',
      age(o, now),
    ],
  },
  '/Event': {
    columns: [
      col('Last Seen'),
      col('Type'),
      col('Reason'),
      col('Object'),
      col('Subobject', 'string', 1),
      col('Source', 'string', 1),
      col('Message'),
      col('First Seen', 'string', 1),
      col('Count', 'string', 1),
      { ...nameCol, priority: 1 },
    ],
    cells: (o, now) => [
      since(
        o.lastTimestamp ?? o.eventTime ?? o.metadata.creationTimestamp,
        now,
      ),
      o.type ?? '',
      o.reason ?? '',
      `${String(o.involvedObject?.kind ?? '').toLowerCase()}/${
        o.involvedObject?.name ?? ''
      }`,
      o.involvedObject?.fieldPath ?? '',
      o.source?.component ?? o.reportingComponent ?? '',
      o.message ?? '',
      since(o.firstTimestamp ?? o.metadata.creationTimestamp, now),
      String(o.count ?? 1),
      o.metadata.name,
    ],
  },
  '/ConfigMap': {
    columns: [nameCol, col('Data', 'integer'), col('Age')],
    cells: (o, now) => [
      o.metadata.name,
      Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length,
      age(o, now),
    ],
  },
  '/Secret': {
    columns: [nameCol, col('Type'), col('Data', 'integer'), col('Age')],
    cells: (o, now) => [
      o.metadata.name,
      o.type ?? 'Opaque',
      Object.keys(o.data ?? {}).length,
      age(o, now),
    ],
  },
  '/Endpoints': {
    columns: [nameCol, col('Endpoints'), col('Age')],
    cells: (o, now) => {
      const eps: string[] = [];
      for (const s of o.subsets ?? []) {
        for (const a of s.addresses ?? []) {
          for (const p of s.ports ?? [{}])
            eps.push(p.port ? `${a.ip}:${p.port}` : a.ip);
        }
      }
      return [
        o.metadata.name,
        eps.length ? eps.join(',') : '<none>',
        age(o, now),
      ];
    },
  },
  'apiextensions.k8s.io/CustomResourceDefinition': {
    columns: [nameCol, col('Created At', 'date')],
    cells: o => [o.metadata.name, o.metadata.creationTimestamp],
  },
};
