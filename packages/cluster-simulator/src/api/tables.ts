/*
 * `meta.k8s.io/v1` Table rendering: what `kubectl get` prints. Columns follow
 * the upstream printers for the kinds this product shows; CRDs use their
 * `additionalPrinterColumns`; anything else gets Name and Age.
 */
import type { KubeObject } from '../controllers/types';
import type { PrinterColumn, ResourceType } from './resources';

/** A Table column definition. */
export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

type Cell = string | number | boolean | null;

interface Printer {
  columns: ColumnDefinition[];
  cells(o: any, now: number): Cell[];
}

function col(
  name: string,
  type = 'string',
  priority = 0,
  format = '',
): ColumnDefinition {
  return { name, type, format, description: name, priority };
}

const nameCol = col('Name', 'string', 0, 'name');

/** kubectl's short human duration (`5s`, `3m20s`, `2d4h`, …). */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0
      ? `${Math.floor(hours / 24)}d`
      : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const y = Math.floor(hours / 24 / 365);
    const d = Math.floor(hours / 24) % 365;
    return d === 0 ? `${y}y` : `${y}y${d}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

function age(o: any, now: number): string {
  const ts = o.metadata?.creationTimestamp;
  return ts ? humanDuration(now - Date.parse(ts)) : '<unknown>';
}

function since(ts: string | undefined, now: number): string {
  return ts ? humanDuration(now - Date.parse(ts)) : '<unknown>';
}

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

const PRINTERS: Record<string, Printer> = {
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

/** Evaluates the JSONPath subset CRD printer columns use. */
export function evalJsonPath(obj: unknown, path: string): unknown {
  let p = path.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1);
  if (p.startsWith('$')) p = p.slice(1);
  const tokens = p.match(/\.[^.[\]]+|\[[^\]]*\]/g) ?? [];
  let cur: any = obj;
  for (const t of tokens) {
    if (cur === undefined || cur === null) return undefined;
    if (t.startsWith('.')) {
      cur = cur[t.slice(1)];
    } else {
      const inner = t.slice(1, -1);
      const filter = /^\?\(@\.([\w.]+)\s*==\s*["']?([^"')]*)["']?\)$/.exec(
        inner,
      );
      if (filter && Array.isArray(cur)) {
        cur = cur.find(
          x => String(evalJsonPath(x, `.${filter[1]}`)) === filter[2],
        );
      } else if (/^-?\d+$/.test(inner) && Array.isArray(cur)) {
        const i = Number(inner);
        cur = cur[i < 0 ? cur.length + i : i];
      } else if (inner === '*') {
        // keep the whole list
      } else {
        cur = cur[inner.replace(/^['"]|['"]$/g, '')];
      }
    }
  }
  return cur;
}

function crdPrinter(columns: PrinterColumn[] | undefined): Printer {
  const cols = columns?.length
    ? columns
    : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }];
  return {
    columns: [
      nameCol,
      ...cols.map(c =>
        col(
          c.name,
          c.type === 'date' ? 'string' : c.type,
          c.priority ?? 0,
          c.format ?? '',
        ),
      ),
    ],
    cells: (o, now) => [
      o.metadata.name,
      ...cols.map(c => {
        const v = evalJsonPath(o, c.jsonPath);
        if (v === undefined || v === null) return null;
        if (c.type === 'date') return since(String(v), now);
        if (typeof v === 'object') return JSON.stringify(v);
        if (c.type === 'integer' || c.type === 'number') return Number(v);
        if (c.type === 'boolean') return Boolean(v);
        return String(v);
      }),
    ],
  };
}

const GENERIC: Printer = {
  columns: [nameCol, col('Age')],
  cells: (o, now) => [o.metadata.name, age(o, now)],
};

function printerFor(t: ResourceType): Printer {
  if (!t.builtin) return crdPrinter(t.printerColumns);
  return PRINTERS[`${t.group}/${t.kind}`] ?? GENERIC;
}

/** How much of each object a Table row carries (`includeObject`). */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** Renders objects as a Table; `withColumns` false drops the definitions (later watch events). */
export function renderTable(
  t: ResourceType,
  objects: KubeObject[],
  opts: {
    now: number;
    includeObject?: IncludeObject;
    resourceVersion?: string;
    continueToken?: string;
    withColumns?: boolean;
    tableVersion?: string;
  },
): Record<string, unknown> {
  const printer = printerFor(t);
  const include = opts.includeObject ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.tableVersion ?? 'v1'}`,
    metadata: {
      resourceVersion: opts.resourceVersion,
      ...(opts.continueToken ? { continue: opts.continueToken } : {}),
    },
    ...(opts.withColumns === false
      ? {}
      : { columnDefinitions: printer.columns }),
    rows: objects.map(o => ({
      cells: printer.cells(o, opts.now),
      ...(include === 'None'
        ? {}
        : {
            object:
              include === 'Object'
                ? o
                : {
                    kind: 'PartialObjectMetadata',
                    apiVersion: 'meta.k8s.io/v1',
                    metadata: o.metadata,
                  },
          }),
    })),
  };
}
