/*
 * Drift: every field of a workload whose value differs between the clusters
 * that run it, with the values side by side. Compares the desired state
 * (spec), since that is what a person or a pipeline changed.
 */
import { KubeObject } from './kube';
import { DriftEntry } from './types';

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

/**
 * Fields that differ across clusters, per workload name. Only clusters that
 * run a workload take part for it, so a workload present in one cluster alone
 * has no drift.
 */
export function computeDrift(
  workloadsByCluster: Record<string, KubeObject[]>,
): DriftEntry[] {
  const byWorkload = new Map<string, Map<string, Record<string, string>>>();
  for (const [cluster, objects] of Object.entries(workloadsByCluster)) {
    for (const obj of objects) {
      const key = `${obj.kind ?? 'StatefulSet'}/${obj.metadata.name}`;
      if (!byWorkload.has(key)) byWorkload.set(key, new Map());
      byWorkload.get(key)!.set(cluster, driftFieldsOf(obj));
    }
  }
  const drift: DriftEntry[] = [];
  for (const [key, perCluster] of [...byWorkload.entries()].sort()) {
    if (perCluster.size < 2) continue;
    const workload = key.slice(key.indexOf('/') + 1);
    const fieldNames = new Set<string>();
    for (const fields of perCluster.values()) {
      Object.keys(fields).forEach(f => fieldNames.add(f));
    }
    for (const field of [...fieldNames].sort()) {
      const values: Record<string, string | null> = {};
      for (const [cluster, fields] of perCluster) {
        values[cluster] = fields[field] ?? null;
      }
      if (new Set(Object.values(values)).size > 1) {
        drift.push({ workload, field, values });
      }
    }
  }
  return drift;
}
