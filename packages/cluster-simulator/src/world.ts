/*
 * The world file: which clusters to simulate, where they are, what they hold
 * at start, their faults and replication settings. Parsing and validation
 * are strict — an unknown field or a malformed object is reported with the
 * file, the object and the reason, never silently ignored.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { FederationHost, KubeObject } from './controllers/types';
import { labelKeyValid, labelValueValid } from './api/validation';
import type { ReplicationSettings } from './controllers/lagModel';
import { Faults, parseFaults } from './server/faults';
import { operatorCrdDirectory } from './packageRoot';

/** An object of the world with where it came from (for error messages). */
export interface WorldObject {
  object: KubeObject;
  source: string;
}

/** One simulated cluster as the world describes it. */
export interface WorldCluster {
  name: string;
  region: string;
  zones: string[];
  token: string;
  readOnlyToken?: string;
  /** Further tokens, each with the identity RBAC sees for it. */
  users?: WorldUser[];
  /** Whether RBAC decides requests; off, every known token may do anything. */
  rbac?: boolean;
  federationHost?: FederationHost;
  /**
   * The databases' operators installed here (`strimzi`, `eck`, …: file
   * names in the simulator's `crds/operators/`): their CRDs are served and
   * their simulated controllers act. None unless the world lists them, as
   * on a real cluster.
   */
  operators?: string[];
  /** The labels the cluster is joined to its federations with (placement selects by them). */
  labels?: Record<string, string>;
  nodesPerZone: number;
  objects: WorldObject[];
  faults: Faults;
  replication?: ReplicationSettings;
}

/** A token of a cluster and who it authenticates as. */
export interface WorldUser {
  token: string;
  user: string;
  groups: string[];
  /** The token the app-config fragment gives the portal for its writes. */
  writer?: boolean;
}

/** A validated world. */
export interface World {
  clusters: WorldCluster[];
  readinessDelayMs?: number;
  tickMs?: number;
  historySize?: number;
  replication?: ReplicationSettings;
  /** The file the world was read from, if any. */
  file?: string;
}

/** A world that cannot be used; the message names the file, object and reason. */
export class WorldError extends Error {}

/**
 * The databases' operators a world may install, each with its CRDs in the
 * simulator's `crds/operators/<name>.yaml` and a simulated controller.
 */
export const OPERATORS = [
  'strimzi',
  'eck',
  'percona',
  'zalando',
  'mongodbcommunity',
  'innodbcluster',
] as const;

function operatorsOf(cw: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some(v => typeof v !== 'string')) {
    throw new WorldError(`${cw}: operators must be a list of names`);
  }
  const known: readonly string[] = OPERATORS;
  for (const name of value as string[]) {
    if (!known.includes(name)) {
      throw new WorldError(
        `${cw}: operators: no operator "${name}"; known: ${known.join(', ')}`,
      );
    }
  }
  return [...new Set(value as string[])];
}

/** The CRDs of the operators a cluster has installed. */
export function operatorCrdsOf(
  c: Pick<WorldCluster, 'operators'>,
): WorldObject[] {
  const dir = operatorCrdDirectory();
  return (c.operators ?? []).flatMap(name => {
    const file = ['yaml', 'yml']
      .map(ext => path.join(dir, `${name}.${ext}`))
      .find(f => fs.existsSync(f));
    return file ? readObjectsFile(file) : [];
  });
}

const TOP_FIELDS = [
  'clusters',
  'readinessDelayMs',
  'tickMs',
  'historySize',
  'replication',
];
const CLUSTER_FIELDS = [
  'name',
  'region',
  'zones',
  'token',
  'readOnlyToken',
  'users',
  'rbac',
  'federationHost',
  'operators',
  'labels',
  'nodesPerZone',
  'objects',
  'files',
  'faults',
  'replication',
];
const REPLICATION_FIELDS: Record<string, 'number'> = {
  minLagSeconds: 'number',
  maxLagSeconds: 'number',
  catchUpSecondsPerSecond: 'number',
  intervalMs: 'number',
  fixedLagSeconds: 'number',
};
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function isObj(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkFields(
  where: string,
  v: Record<string, unknown>,
  allowed: string[],
): void {
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k))
      throw new WorldError(`${where}: unknown field "${k}"`);
  }
}

function replicationOf(
  where: string,
  v: unknown,
): ReplicationSettings | undefined {
  if (v === undefined) return undefined;
  if (!isObj(v))
    throw new WorldError(`${where}: replication must be an object`);
  checkFields(`${where}.replication`, v, Object.keys(REPLICATION_FIELDS));
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'number' || x < 0)
      throw new WorldError(
        `${where}.replication.${k}: must be a non-negative number`,
      );
  }
  return v as ReplicationSettings;
}

/** Checks the shape every Kubernetes object needs; returns the reason or undefined. */
export function objectShapeError(o: unknown): string | undefined {
  if (!isObj(o)) return 'not an object';
  if (typeof o.apiVersion !== 'string' || !o.apiVersion)
    return 'apiVersion is missing';
  if (typeof o.kind !== 'string' || !o.kind) return 'kind is missing';
  if (!isObj(o.metadata)) return 'metadata is missing';
  if (typeof o.metadata.name !== 'string' || !o.metadata.name)
    return 'metadata.name is missing';
  return undefined;
}

function describeObject(o: any, i: number): string {
  if (!isObj(o)) return `object #${i + 1}`;
  const ns = o.metadata?.namespace ? `${o.metadata.namespace}/` : '';
  return `${o.kind ?? '?'} ${ns}${o.metadata?.name ?? `#${i + 1}`}`;
}

/** Reads the Kubernetes objects of a multi-document YAML file. */
export function readObjectsFile(file: string): WorldObject[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new WorldError(`${file}: cannot read: ${(e as Error).message}`);
  }
  const out: WorldObject[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    if (doc.errors.length)
      throw new WorldError(
        `${file}: document ${i + 1}: ${doc.errors[0].message}`,
      );
    const o = doc.toJSON();
    if (o === null || o === undefined) return;
    const items =
      isObj(o) && o.kind === 'List' && Array.isArray(o.items) ? o.items : [o];
    items.forEach((item: unknown, j: number) => {
      const err = objectShapeError(item);
      if (err)
        throw new WorldError(`${file}: ${describeObject(item, j)}: ${err}`);
      out.push({ object: item as KubeObject, source: file });
    });
  });
  return out;
}

/** Validates a parsed world; `file` (when read from disk) anchors relative paths and messages. */
export function validateWorld(raw: unknown, file?: string): World {
  const where = file ?? 'world';
  if (!isObj(raw))
    throw new WorldError(`${where}: the world must be a mapping`);
  checkFields(where, raw, TOP_FIELDS);
  if (!Array.isArray(raw.clusters) || raw.clusters.length === 0) {
    throw new WorldError(`${where}: clusters must be a non-empty list`);
  }
  for (const k of ['readinessDelayMs', 'tickMs', 'historySize']) {
    if (raw[k] !== undefined && (typeof raw[k] !== 'number' || raw[k] < 0)) {
      throw new WorldError(`${where}: ${k} must be a non-negative number`);
    }
  }
  const base = file ? path.dirname(file) : process.cwd();
  const seen = new Set<string>();
  const clusters = raw.clusters.map((c: unknown, i: number): WorldCluster => {
    const cw = `${where}: clusters[${i}]${
      isObj(c) && c.name ? ` (${c.name})` : ''
    }`;
    if (!isObj(c)) throw new WorldError(`${cw}: must be a mapping`);
    checkFields(cw, c, CLUSTER_FIELDS);
    if (typeof c.name !== 'string' || !NAME.test(c.name)) {
      throw new WorldError(`${cw}: name must be a lowercase DNS label`);
    }
    if (seen.has(c.name))
      throw new WorldError(`${cw}: duplicate cluster name "${c.name}"`);
    seen.add(c.name);
    if (typeof c.region !== 'string' || !c.region)
      throw new WorldError(`${cw}: region is required`);
    if (
      c.zones !== undefined &&
      (!Array.isArray(c.zones) ||
        c.zones.some((z: unknown) => typeof z !== 'string'))
    ) {
      throw new WorldError(`${cw}: zones must be a list of strings`);
    }
    if (
      c.federationHost !== undefined &&
      c.federationHost !== 'karmada' &&
      c.federationHost !== 'kubefed'
    ) {
      throw new WorldError(`${cw}: federationHost must be karmada or kubefed`);
    }
    const operators = operatorsOf(cw, c.operators);
    const labels = labelsOf(cw, c.labels);
    for (const k of ['token', 'readOnlyToken']) {
      if (c[k] !== undefined && (typeof c[k] !== 'string' || !c[k]))
        throw new WorldError(`${cw}: ${k} must be a non-empty string`);
    }
    if (c.rbac !== undefined && typeof c.rbac !== 'boolean')
      throw new WorldError(`${cw}: rbac must be true or false`);
    const users = usersOf(cw, c.users, [c.token, c.readOnlyToken]);
    if (
      c.nodesPerZone !== undefined &&
      (!Number.isInteger(c.nodesPerZone) || c.nodesPerZone < 1)
    ) {
      throw new WorldError(`${cw}: nodesPerZone must be a positive integer`);
    }
    let faults: Faults;
    try {
      faults = parseFaults(c.faults);
    } catch (e) {
      throw new WorldError(`${cw}: faults: ${(e as Error).message}`);
    }
    const objects: WorldObject[] = [];
    if (c.objects !== undefined) {
      if (!Array.isArray(c.objects))
        throw new WorldError(`${cw}: objects must be a list`);
      c.objects.forEach((o: unknown, j: number) => {
        const err = objectShapeError(o);
        if (err)
          throw new WorldError(
            `${cw}: objects[${j}] ${describeObject(o, j)}: ${err}`,
          );
        objects.push({
          object: o as KubeObject,
          source: `${cw}: objects[${j}]`,
        });
      });
    }
    if (c.files !== undefined) {
      if (
        !Array.isArray(c.files) ||
        c.files.some((f: unknown) => typeof f !== 'string')
      ) {
        throw new WorldError(`${cw}: files must be a list of paths`);
      }
      for (const f of c.files)
        objects.push(...readObjectsFile(path.resolve(base, f)));
    }
    return {
      name: c.name,
      region: c.region,
      zones: c.zones?.length ? c.zones : [`${c.region}a`, `${c.region}b`],
      token: c.token ?? `demo-token-${c.name}`,
      readOnlyToken: c.readOnlyToken,
      users,
      rbac: c.rbac === true,
      federationHost: c.federationHost,
      ...(operators.length ? { operators } : {}),
      ...(labels ? { labels } : {}),
      nodesPerZone: c.nodesPerZone ?? 2,
      objects,
      faults,
      replication: replicationOf(cw, c.replication),
    };
  });
  for (const kind of ['karmada', 'kubefed']) {
    const hosts = clusters.filter(c => c.federationHost === kind);
    if (hosts.length > 1)
      throw new WorldError(
        `${where}: clusters ${hosts
          .map(c => c.name)
          .join(', ')} all host ${kind}; a world has one ${kind} control plane`,
      );
  }
  return {
    clusters,
    readinessDelayMs: raw.readinessDelayMs,
    tickMs: raw.tickMs,
    historySize: raw.historySize,
    replication: replicationOf(where, raw.replication),
    file,
  };
}

function labelsOf(
  where: string,
  raw: unknown,
): Record<string, string> | undefined {
  if (raw === undefined) return undefined;
  if (!isObj(raw))
    throw new WorldError(
      `${where}: labels must be a mapping of label to value`,
    );
  for (const [k, v] of Object.entries(raw)) {
    if (!labelKeyValid(k))
      throw new WorldError(`${where}: labels: "${k}" is not a valid label key`);
    if (!labelValueValid(v))
      throw new WorldError(
        `${where}: labels.${k}: must be a valid label value (a string of up to 63 characters)`,
      );
  }
  return { ...(raw as Record<string, string>) };
}

function usersOf(
  where: string,
  raw: unknown,
  otherTokens: unknown[],
): WorldUser[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw))
    throw new WorldError(
      `${where}: users must be a list of { token, user, groups }`,
    );
  const seen = new Set(otherTokens.filter(t => typeof t === 'string'));
  const users: WorldUser[] = raw.map((u: unknown, i: number) => {
    const uw = `${where}: users[${i}]`;
    if (!isObj(u))
      throw new WorldError(`${uw}: must be { token, user, groups }`);
    checkFields(uw, u, ['token', 'user', 'groups', 'writer']);
    if (u.writer !== undefined && typeof u.writer !== 'boolean')
      throw new WorldError(`${uw}: writer must be true or false`);
    for (const k of ['token', 'user']) {
      if (typeof u[k] !== 'string' || !u[k])
        throw new WorldError(`${uw}: ${k} must be a non-empty string`);
    }
    if (
      u.groups !== undefined &&
      (!Array.isArray(u.groups) ||
        u.groups.some((g: unknown) => typeof g !== 'string' || !g))
    ) {
      throw new WorldError(`${uw}: groups must be a list of group names`);
    }
    if (seen.has(u.token))
      throw new WorldError(`${uw}: the token is already used in this cluster`);
    seen.add(u.token);
    return {
      token: u.token,
      user: u.user,
      groups: u.groups ?? [],
      ...(u.writer ? { writer: true } : {}),
    };
  });
  if (users.filter(u => u.writer).length > 1)
    throw new WorldError(`${where}: only one of users may be the writer`);
  return users;
}

/** Reads and validates a world file (YAML or JSON). */
export function loadWorld(file: string): World {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (e) {
    throw new WorldError(`${abs}: cannot read: ${(e as Error).message}`);
  }
  const docs = parseAllDocuments(text);
  if (docs.length !== 1)
    throw new WorldError(
      `${abs}: a world file holds exactly one YAML document`,
    );
  if (docs[0].errors.length)
    throw new WorldError(`${abs}: ${docs[0].errors[0].message}`);
  return validateWorld(docs[0].toJSON(), abs);
}
