/*
 * Puts a world's objects into a fresh store through the same admission the
 * API applies (known kind, no unknown fields, defaults, validation), CRDs
 * first so their kinds exist, namespaces created as needed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { applyDefaults } from '../api/defaults';
import { parseApiVersion } from '../api/resources';
import { ApiError } from '../api/status';
import {
  prune,
  schemaOf,
  unknownFields,
  validateObject,
} from '../api/validation';
import type { KubeObject } from '../controllers/types';
import { WorldError, WorldObject, readObjectsFile } from '../world';
import type { ClusterStore } from './ClusterStore';

function describe(o: KubeObject): string {
  const ns = o.metadata.namespace ? `${o.metadata.namespace}/` : '';
  return `${o.kind} ${ns}${o.metadata.name}`;
}

/** Stores one world object after admission; throws WorldError naming source, object and reason. */
export function seedObject(store: ClusterStore, item: WorldObject): void {
  const o = structuredClone(item.object);
  const where = `${item.source}: ${describe(o)}`;
  const t = store.registry.byKind(o.apiVersion, o.kind);
  if (!t) {
    throw new WorldError(
      `${where}: no kind "${o.kind}" is registered for version "${o.apiVersion}"`,
    );
  }
  if (t.readOnly)
    throw new WorldError(
      `${where}: ${o.kind} objects are computed, not stored`,
    );
  const schema = schemaOf(t);
  const unknown = unknownFields(schema, o);
  if (unknown.length) {
    throw new WorldError(
      `${where}: ${unknown.map(f => `unknown field "${f}"`).join(', ')}`,
    );
  }
  if (!t.builtin && schema) prune(o, schema);
  if (t.namespaced) {
    o.metadata.namespace ??= 'default';
    if (!store.peek('', 'Namespace', undefined, o.metadata.namespace!)) {
      store.create({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: o.metadata.namespace! },
      });
    }
  }
  if (t.builtin) applyDefaults(t.group, o);
  const causes = validateObject(t, o);
  if (causes.length) {
    throw new WorldError(
      `${where}: ${causes.map(c => `${c.field}: ${c.message}`).join('; ')}`,
    );
  }
  for (const k of [
    'uid',
    'resourceVersion',
    'creationTimestamp',
    'generation',
    'managedFields',
  ]) {
    delete o.metadata[k];
  }
  try {
    store.create(o);
  } catch (e) {
    if (e instanceof ApiError) {
      if (e.reason === 'AlreadyExists' && o.kind === 'Namespace') return;
      throw new WorldError(`${where}: ${e.message}`);
    }
    throw e;
  }
}

/** Stores a world's objects, CRDs first, then namespaces, then the rest. */
export function seedObjects(store: ClusterStore, items: WorldObject[]): void {
  const rank = (o: KubeObject) => {
    const { group } = parseApiVersion(o.apiVersion);
    if (group === 'apiextensions.k8s.io') return 0;
    if (o.kind === 'Namespace' && group === '') return 1;
    return 2;
  };
  const sorted = [...items].sort((a, b) => rank(a.object) - rank(b.object));
  for (const item of sorted) seedObject(store, item);
}

/** The CRDs shipped in a folder of YAML files (none when the folder is missing or empty). */
export function readCrdDir(dir: string): WorldObject[] {
  if (!fs.existsSync(dir)) {
    throw new WorldError(`CRD folder ${dir} does not exist`);
  }
  const out: WorldObject[] = [];
  for (const f of fs.readdirSync(dir).sort()) {
    if (!/\.ya?ml$/.test(f)) continue;
    for (const item of readObjectsFile(path.join(dir, f))) {
      if (item.object.kind !== 'CustomResourceDefinition') {
        throw new WorldError(
          `${item.source}: ${item.object.kind} ${item.object.metadata.name}: only CustomResourceDefinitions belong in the CRD folder`,
        );
      }
      out.push(item);
    }
  }
  return out;
}
