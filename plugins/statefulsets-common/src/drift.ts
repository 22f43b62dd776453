/*
 * Drift: every field of a workload whose value differs between the clusters
 * that run it, with the values side by side. Compares the desired state
 * (spec), since that is what a person or a pipeline changed.
 */
import {
  engineOfObject,
  memberKindOf,
  ROLE_SPECIFIC_ENV,
  workloadRoleOf,
} from './chartConventions';
import { KubeObject } from './kube';
import { DriftEntry } from './types';

/**
 * A Strimzi `Kafka` with the node pools that run its nodes beside it (as the
 * Strimzi convention hands it over): the version, image and broker config
 * live in the Kafka, replicas, roles and storage in its pools.
 */
export interface KafkaDriftObject extends KubeObject {
  nodePools?: KubeObject[];
}

function kafkaDriftFields(
  obj: KafkaDriftObject,
  put: (key: string, value: unknown) => void,
): void {
  const kafka = obj.spec?.kafka ?? {};
  const pools = obj.nodePools ?? [];
  put('version', kafka.version ?? obj.status?.kafkaVersion);
  put('metadataVersion', kafka.metadataVersion);
  put('image', kafka.image);
  put(
    'replicas',
    pools.reduce((sum, p) => sum + (Number(p.spec?.replicas) || 0), 0),
  );
  for (const pool of pools) {
    const name = pool.metadata.name;
    put(`replicas[${name}]`, pool.spec?.replicas);
    put(`roles[${name}]`, [...(pool.spec?.roles ?? [])].sort());
    put(`storage[${name}]`, pool.spec?.storage);
    put(`resources[${name}]`, pool.spec?.resources);
  }
  put('resources', kafka.resources);
  // One field per setting, so the difference reads as a name, not a blob.
  for (const [key, value] of Object.entries(kafka.config ?? {})) {
    put(`config.${key}`, typeof value === 'string' ? value : String(value));
  }
}

/** The comparable fields of one workload object, by field path. */
export function driftFieldsOf(obj: KubeObject): Record<string, string> {
  const fields: Record<string, string> = {};
  const put = (key: string, value: unknown) => {
    if (value === undefined || value === null) return;
    fields[key] = typeof value === 'string' ? value : JSON.stringify(value);
  };
  if (obj.kind === 'Cluster') {
    const spec = obj.spec ?? {};
    put('image', spec.imageName);
    put('replicas', spec.instances);
    put('resources', spec.resources);
    put('storage.size', spec.storage?.size);
    put('storage.class', spec.storage?.storageClass);
    put('updateStrategy', spec.primaryUpdateStrategy);
    put('config.parameters', spec.postgresql?.parameters);
    return fields;
  }
  if (obj.kind === 'Kafka') {
    kafkaDriftFields(obj, put);
    return fields;
  }
  const spec = obj.spec ?? {};
  put('replicas', spec.replicas ?? 1);
  put('updateStrategy', spec.updateStrategy?.type ?? 'RollingUpdate');
  for (const c of spec.template?.spec?.containers ?? []) {
    put(`image[${c.name}]`, c.image);
    put(`resources[${c.name}]`, c.resources);
    // One field per variable, so the difference reads as a name, not a blob.
    for (const e of c.env ?? []) {
      put(`config.env[${c.name}].${e?.name}`, e?.value ?? e?.valueFrom ?? '');
    }
    put(`config.args[${c.name}]`, c.args);
  }
  for (const t of spec.volumeClaimTemplates ?? []) {
    const name = t?.metadata?.name;
    put(`storage.size[${name}]`, t?.spec?.resources?.requests?.storage);
    put(`storage.class[${name}]`, t?.spec?.storageClassName);
  }
  return fields;
}

/** One workload object in one cluster, as drift compares it. */
interface Placed {
  cluster: string;
  obj: KubeObject;
}

function isPrimarySide(obj: KubeObject): boolean {
  return workloadRoleOf(obj).role === 'active';
}

/**
 * Fields that differ across one group of counterparts (one per cluster).
 * Across a primary and a replica, fields that differ by role by design
 * (replica count, the charts' replication variables) are left out.
 */
function driftOfGroup(group: Placed[], byName: boolean): DriftEntry[] {
  const names = [...new Set(group.map(p => p.obj.metadata.name))].sort();
  const mixedRoles =
    !byName && new Set(group.map(p => isPrimarySide(p.obj))).size > 1;
  const perCluster = new Map<string, Record<string, string>>();
  for (const { cluster, obj } of group) {
    const fields = driftFieldsOf(obj);
    if (mixedRoles) {
      delete fields.replicas;
      for (const key of Object.keys(fields)) {
        const env = /^config\.env\[[^\]]*\]\.(.+)$/.exec(key);
        if (env && ROLE_SPECIFIC_ENV.has(env[1])) delete fields[key];
      }
    }
    perCluster.set(cluster, fields);
  }
  const fieldNames = new Set<string>();
  for (const fields of perCluster.values()) {
    Object.keys(fields).forEach(f => fieldNames.add(f));
  }
  const workloads = byName
    ? {}
    : {
        workloads: Object.fromEntries(
          group.map(p => [p.cluster, p.obj.metadata.name]),
        ),
      };
  const drift: DriftEntry[] = [];
  for (const field of [...fieldNames].sort()) {
    const values: Record<string, string | null> = {};
    for (const [cluster, fields] of perCluster) {
      values[cluster] = fields[field] ?? null;
    }
    if (new Set(Object.values(values)).size > 1) {
      drift.push({ workload: names.join(' ↔ '), field, values, ...workloads });
    }
  }
  return drift;
}

/**
 * Groups of workloads whose names are each in one cluster only, matched by
 * what they are: kind, engine and member kind (data, arbiter, hidden). With
 * one workload per cluster the group is compared as a whole; otherwise the
 * one primary side is compared with each workload of the other clusters.
 */
function counterpartGroups(lone: Placed[]): Placed[][] {
  const byKey = new Map<string, Placed[]>();
  for (const p of lone) {
    const engine = engineOfObject(p.obj);
    if (!engine) continue;
    const key = `${p.obj.kind ?? 'StatefulSet'}|${engine}|${memberKindOf(
      p.obj,
    )}`;
    byKey.set(key, [...(byKey.get(key) ?? []), p]);
  }
  const groups: Placed[][] = [];
  for (const members of byKey.values()) {
    const clusters = new Set(members.map(m => m.cluster));
    if (clusters.size < 2) continue;
    if (clusters.size === members.length) {
      groups.push(members);
      continue;
    }
    const primaries = members.filter(m => isPrimarySide(m.obj));
    if (primaries.length !== 1) continue;
    const [primary] = primaries;
    for (const other of members) {
      if (other.cluster !== primary.cluster) groups.push([primary, other]);
    }
  }
  return groups;
}

/**
 * Fields that differ across clusters. Workloads pair by name first (a name
 * run in several clusters is compared across them); the rest pair as
 * counterparts of the same engine and member kind, so a chart's
 * `…-primary` in one cluster is compared with its `…-secondary` in
 * another. A workload without a counterpart has no drift.
 */
export function computeDrift(
  workloadsByCluster: Record<string, KubeObject[]>,
): DriftEntry[] {
  const byName = new Map<string, Placed[]>();
  for (const [cluster, objects] of Object.entries(workloadsByCluster)) {
    for (const obj of objects) {
      const key = `${obj.kind ?? 'StatefulSet'}/${obj.metadata.name}`;
      byName.set(key, [...(byName.get(key) ?? []), { cluster, obj }]);
    }
  }
  const drift: DriftEntry[] = [];
  const lone: Placed[] = [];
  for (const [, group] of [...byName.entries()].sort()) {
    if (new Set(group.map(g => g.cluster)).size < 2) lone.push(...group);
    else drift.push(...driftOfGroup(group, true));
  }
  for (const group of counterpartGroups(lone)) {
    drift.push(...driftOfGroup(group, false));
  }
  return drift;
}
