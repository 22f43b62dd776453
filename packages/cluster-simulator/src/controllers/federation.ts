/*
 * Plays the two federation control planes the product can scaffold for:
 * Karmada (PropagationPolicy + OverridePolicy over resource templates that
 * live in the host cluster) and KubeFed (FederatedStatefulSet). Each runs
 * only in the cluster the world marks as its host, copies the placed
 * objects into the member clusters with per-cluster overrides, removes them
 * where they are no longer placed, and writes the members' state back to
 * the host. Member objects are only touched when they carry the control
 * plane's marker, as the real controllers refuse to adopt foreign objects.
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type {
  ClusterApi,
  Controller,
  ControllerContext,
  KubeObject,
} from './types';

const KARMADA_API = 'policy.karmada.io/v1alpha1';
const KUBEFED_API = 'types.kubefed.io/v1beta1';

const KARMADA_MANAGED = 'karmada.io/managed';
const PP_NAME = 'propagationpolicy.karmada.io/name';
const PP_NAMESPACE = 'propagationpolicy.karmada.io/namespace';
const MANAGED_LABELS = 'resourcetemplate.karmada.io/managed-labels';
const MANAGED_ANNOTATIONS = 'resourcetemplate.karmada.io/managed-annotations';
const TEMPLATE_UID = 'resourcetemplate.karmada.io/uid';
const BINDING_NAME = 'resourcebinding.karmada.io/name';
const BINDING_NAMESPACE = 'resourcebinding.karmada.io/namespace';
const KUBEFED_MANAGED = 'kubefed.io/managed';

/**
 * Annotations the replication exporter writes on each member's own
 * workload; propagating the template's values would fight it.
 */
const MEMBER_OWNED_ANNOTATIONS = [
  'multicluster-statefulsets/replication-lag-seconds',
  'multicluster-statefulsets/replication-lag-observed-at',
  'kubectl.kubernetes.io/last-applied-configuration',
];

/** The federation role a world gives a cluster. */
export type FederationHost = 'karmada' | 'kubefed';

/** A ClusterApi that may expose its federation role and labels. */
type MaybeFederated = ClusterApi & {
  federationHost?: FederationHost;
  labels?: Record<string, string>;
};

const clone = <T>(v: T): T => structuredClone(v);

/**
 * Whether this reconcile runs in the host of the given control plane:
 * `true`/`false` from the role the world gives the cluster, or `undefined`
 * when no cluster exposes a role (then the caller decides by whether the
 * cluster holds the control plane's objects, which live nowhere else).
 */
export function isFederationHost(
  ctx: ControllerContext,
  kind: FederationHost,
): boolean | undefined {
  const own = (ctx.cluster as MaybeFederated).federationHost;
  if (own !== undefined) {
    return own === kind;
  }
  const exposed = [...ctx.clusters.values()].some(
    c => (c as MaybeFederated).federationHost !== undefined,
  );
  return exposed ? false : undefined;
}

// ---------------------------------------------------------------------------
// JSON pointer edits (RFC 6901 paths, RFC 6902 add/remove/replace semantics)

function parsePointer(path: string): string[] {
  if (path === '') {
    return [];
  }
  if (!path.startsWith('/')) {
    throw new Error(`invalid JSON pointer "${path}"`);
  }
  return path
    .slice(1)
    .split('/')
    .map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Applies one add/remove/replace edit at a JSON pointer, in place. */
export function applyJsonPatchOp(
  doc: Record<string, any>,
  op: string,
  path: string,
  value?: unknown,
): void {
  const parts = parsePointer(path);
  if (parts.length === 0) {
    throw new Error('cannot edit the document root');
  }
  let parent: any = doc;
  for (const part of parts.slice(0, -1)) {
    const next = Array.isArray(parent) ? parent[Number(part)] : parent?.[part];
    if (next === undefined || next === null || typeof next !== 'object') {
      if (op === 'remove') {
        return;
      }
      // Overrides are written against the template; create missing maps
      // (e.g. metadata.annotations) instead of failing the whole member.
      parent[part] = {};
    }
    parent = Array.isArray(parent) ? parent[Number(part)] : parent[part];
  }
  const last = parts[parts.length - 1];
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) {
      throw new Error(`index ${last} out of range at ${path}`);
    }
    if (op === 'add') {
      parent.splice(index, 0, clone(value));
    } else if (op === 'remove') {
      parent.splice(index, 1);
    } else {
      parent[index] = clone(value);
    }
    return;
  }
  if (op === 'remove') {
    delete parent[last];
  } else {
    parent[last] = clone(value);
  }
}

// ---------------------------------------------------------------------------
// Selectors

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{
    key: string;
    operator: string;
    values?: string[];
  }>;
}

const EXPRESSION_OPERATORS: Record<
  string,
  (has: boolean, values: string[], value: string | undefined) => boolean
> = {
  In: (has, values, value) => has && values.includes(value!),
  NotIn: (has, values, value) => !has || !values.includes(value!),
  Exists: has => has,
  DoesNotExist: has => !has,
};

/** Whether labels satisfy a Kubernetes label selector (empty matches all). */
export function matchesLabelSelector(
  labels: Record<string, string> | undefined,
  selector: LabelSelector | undefined,
): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector?.matchLabels ?? {})) {
    if (l[k] !== v) {
      return false;
    }
  }
  for (const e of selector?.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const values = e.values ?? [];
    const ok =
      EXPRESSION_OPERATORS[e.operator]?.(has, values, l[e.key]) ?? false;
    if (!ok) {
      return false;
    }
  }
  return true;
}

/** The labels a member cluster is selected by (its name, region, own labels). */
function clusterLabels(cluster: ClusterApi): Record<string, string> {
  return {
    name: cluster.name,
    region: cluster.region,
    'topology.kubernetes.io/region': cluster.region,
    ...(cluster as MaybeFederated).labels,
  };
}

interface ClusterAffinity {
  clusterNames?: string[];
  exclude?: string[];
  labelSelector?: LabelSelector;
  fieldSelector?: {
    matchExpressions?: Array<{
      key: string;
      operator: string;
      values?: string[];
    }>;
  };
}

function matchesAffinity(
  cluster: ClusterApi,
  affinity: ClusterAffinity | undefined,
) {
  if (!affinity) {
    return true;
  }
  if (
    affinity.clusterNames?.length &&
    !affinity.clusterNames.includes(cluster.name)
  ) {
    return false;
  }
  if (affinity.exclude?.includes(cluster.name)) {
    return false;
  }
  if (!matchesLabelSelector(clusterLabels(cluster), affinity.labelSelector)) {
    return false;
  }
  for (const e of affinity.fieldSelector?.matchExpressions ?? []) {
    const fields: Record<string, string[]> = {
      region: [cluster.region],
      zone: cluster.zones,
      provider: ['simulator'],
    };
    const fieldValues = fields[e.key] ?? [];
    const hit = fieldValues.some(v => (e.values ?? []).includes(v));
    if ((e.operator === 'In' && !hit) || (e.operator === 'NotIn' && hit)) {
      return false;
    }
  }
  return true;
}

interface ResourceSelector {
  apiVersion: string;
  kind: string;
  name?: string;
  namespace?: string;
  labelSelector?: LabelSelector;
}

function selects(
  selector: ResourceSelector,
  obj: KubeObject,
  policyNamespace: string,
): boolean {
  return (
    selector.apiVersion === obj.apiVersion &&
    selector.kind === obj.kind &&
    (selector.namespace ?? policyNamespace) === obj.metadata.namespace &&
    (!selector.name || selector.name === obj.metadata.name) &&
    (!selector.labelSelector ||
      matchesLabelSelector(obj.metadata.labels, selector.labelSelector))
  );
}

function safeList(
  api: ClusterApi,
  apiVersion: string,
  kind: string,
  namespace?: string,
): KubeObject[] {
  try {
    return api.list(apiVersion, kind, namespace);
  } catch {
    // The kind is not served there (CRD missing): nothing to see.
    return [];
  }
}

function ensureNamespace(api: ClusterApi, namespace: string | undefined): void {
  if (namespace && !api.get('v1', 'Namespace', undefined, namespace)) {
    api.create({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace },
    });
  }
}

/** The parts of an object a propagation writes (everything but status). */
function content(obj: KubeObject): Record<string, unknown> {
  const { metadata, status: _status, ...rest } = obj;
  return {
    ...rest,
    labels: metadata.labels ?? {},
    annotations: metadata.annotations ?? {},
  };
}

/** A copy of a template as it goes to a member: no status, no server fields. */
function memberCopy(template: KubeObject): KubeObject {
  const { metadata, status: _status, ...rest } = clone(template);
  const annotations = { ...metadata.annotations };
  for (const key of MEMBER_OWNED_ANNOTATIONS) {
    delete annotations[key];
  }
  return {
    ...rest,
    metadata: {
      name: metadata.name,
      namespace: metadata.namespace,
      labels: { ...metadata.labels },
      annotations,
    },
  } as KubeObject;
}

function withoutKeys(
  map: Record<string, string> | undefined,
  keys: Iterable<string>,
): Record<string, string> {
  const out = { ...map };
  for (const k of keys) {
    delete out[k];
  }
  return out;
}

/**
 * Creates or updates a member object. Labels/annotations the control plane
 * stopped managing are dropped; keys others wrote on the member are kept.
 */
function syncMember(
  api: ClusterApi,
  desired: KubeObject,
  existing: KubeObject | undefined,
  previouslyManaged: { labels: string[]; annotations: string[] },
): void {
  if (!existing) {
    ensureNamespace(api, desired.metadata.namespace);
    api.create(desired);
    return;
  }
  const merged: KubeObject = {
    ...desired,
    metadata: {
      ...existing.metadata,
      labels: {
        ...withoutKeys(existing.metadata.labels, previouslyManaged.labels),
        ...desired.metadata.labels,
      },
      annotations: {
        ...withoutKeys(
          existing.metadata.annotations,
          previouslyManaged.annotations,
        ),
        ...desired.metadata.annotations,
      },
    },
  };
  if (desired.kind === 'Service' && existing.spec) {
    // The member allocates its own cluster IPs; keep them.
    merged.spec = {
      ...merged.spec,
      clusterIP: existing.spec.clusterIP,
      clusterIPs: existing.spec.clusterIPs,
    };
    for (const k of ['clusterIP', 'clusterIPs']) {
      if (merged.spec[k] === undefined) {
        delete merged.spec[k];
      }
    }
  }
  if (JSON.stringify(content(merged)) !== JSON.stringify(content(existing))) {
    api.update(merged);
  }
}

function splitList(value: string | undefined): string[] {
  return value ? value.split(',').filter(Boolean) : [];
}

// ---------------------------------------------------------------------------
// Karmada

interface Overriders {
  plaintext?: Array<{ path: string; operator: string; value?: unknown }>;
  imageOverrider?: Array<{
    predicate?: { path: string };
    component: 'Registry' | 'Repository' | 'Tag';
    operator: string;
    value?: string;
  }>;
  commandOverrider?: Array<{
    containerName: string;
    operator: string;
    value?: string[];
  }>;
  argsOverrider?: Array<{
    containerName: string;
    operator: string;
    value?: string[];
  }>;
  labelsOverrider?: Array<{ operator: string; value?: Record<string, string> }>;
  annotationsOverrider?: Array<{
    operator: string;
    value?: Record<string, string>;
  }>;
  fieldOverrider?: Array<{
    fieldPath: string;
    json?: Array<{ subPath: string; operator: string; value?: unknown }>;
    yaml?: Array<{ subPath: string; operator: string; value?: unknown }>;
  }>;
}

interface ImageParts {
  registry: string;
  repository: string;
  tag: string;
  digest: string;
}

function parseImage(image: string): ImageParts {
  let rest = image;
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at);
    rest = rest.slice(0, at);
  }
  let registry = '';
  const slash = rest.indexOf('/');
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  let tag = '';
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { registry, repository: rest, tag, digest };
}

function formatImage(p: ImageParts): string {
  return `${p.registry ? `${p.registry}/` : ''}${p.repository}${
    p.tag ? `:${p.tag}` : ''
  }${p.digest}`;
}

function overrideImage(
  image: string,
  rule: NonNullable<Overriders['imageOverrider']>[number],
): string {
  const parts = parseImage(image);
  const key = rule.component.toLowerCase() as 'registry' | 'repository' | 'tag';
  if (rule.operator === 'remove') {
    parts[key] = '';
  } else if (rule.operator === 'add') {
    parts[key] = `${parts[key]}${rule.value ?? ''}`;
  } else {
    parts[key] = rule.value ?? '';
  }
  return formatImage(parts);
}

/** Containers of a workload's pod template (or of a Pod itself). */
function containersOf(obj: KubeObject): any[] {
  const podSpec = obj.kind === 'Pod' ? obj.spec : obj.spec?.template?.spec;
  return [...(podSpec?.containers ?? []), ...(podSpec?.initContainers ?? [])];
}

function getAt(doc: any, path: string): unknown {
  let cur = doc;
  for (const p of parsePointer(path)) {
    cur = Array.isArray(cur) ? cur[Number(p)] : cur?.[p];
  }
  return cur;
}

/** Applies one OverridePolicy rule's overriders, in Karmada's order. */
export function applyOverriders(obj: KubeObject, o: Overriders): void {
  for (const rule of o.imageOverrider ?? []) {
    if (rule.predicate?.path) {
      const image = getAt(obj, rule.predicate.path);
      if (typeof image === 'string') {
        applyJsonPatchOp(
          obj,
          'replace',
          rule.predicate.path,
          overrideImage(image, rule),
        );
      }
    } else {
      for (const c of containersOf(obj)) {
        if (typeof c.image === 'string') {
          c.image = overrideImage(c.image, rule);
        }
      }
    }
  }
  for (const [field, rules] of [
    ['command', o.commandOverrider],
    ['args', o.argsOverrider],
  ] as const) {
    for (const rule of rules ?? []) {
      for (const c of containersOf(obj).filter(
        x => x.name === rule.containerName,
      )) {
        const values: string[] = rule.value ?? [];
        c[field] =
          rule.operator === 'remove'
            ? (c[field] ?? []).filter((v: string) => !values.includes(v))
            : [...(c[field] ?? []), ...values];
      }
    }
  }
  for (const [field, rules] of [
    ['labels', o.labelsOverrider],
    ['annotations', o.annotationsOverrider],
  ] as const) {
    for (const rule of rules ?? []) {
      const map: Record<string, string> = { ...obj.metadata[field] };
      for (const [k, v] of Object.entries(rule.value ?? {})) {
        if (rule.operator === 'remove') {
          delete map[k];
        } else if (rule.operator === 'add' || k in map) {
          map[k] = v;
        }
      }
      obj.metadata[field] = map;
    }
  }
  for (const rule of o.fieldOverrider ?? []) {
    const text = getAt(obj, rule.fieldPath);
    if (typeof text !== 'string') {
      throw new Error(`${rule.fieldPath} is not a string field`);
    }
    const asJson = (rule.json?.length ?? 0) > 0;
    const doc = asJson ? JSON.parse(text) : parseYaml(text);
    for (const edit of (asJson ? rule.json : rule.yaml) ?? []) {
      applyJsonPatchOp(doc, edit.operator, edit.subPath, edit.value);
    }
    applyJsonPatchOp(
      obj,
      'replace',
      rule.fieldPath,
      asJson ? JSON.stringify(doc) : stringifyYaml(doc),
    );
  }
  for (const edit of o.plaintext ?? []) {
    applyJsonPatchOp(obj, edit.operator, edit.path, edit.value);
  }
}

/** Splits replicas across members for Divided scheduling (static weights or even). */
function divideReplicas(
  total: number,
  members: ClusterApi[],
  policy: KubeObject,
): Map<string, number> {
  const weights = members.map(m => {
    const list = policy.spec?.placement?.replicaScheduling?.weightPreference
      ?.staticWeightList as
      | Array<{ targetCluster: ClusterAffinity; weight: number }>
      | undefined;
    if (!list?.length) {
      return 1;
    }
    return list
      .filter(w => matchesAffinity(m, w.targetCluster))
      .reduce((sum, w) => sum + (Number(w.weight) || 0), 0);
  });
  const sum = weights.reduce((a, b) => a + b, 0) || 1;
  const result = new Map<string, number>();
  let given = 0;
  members.forEach((m, i) => {
    const n = Math.floor((total * weights[i]) / sum);
    result.set(m.name, n);
    given += n;
  });
  // Hand out the remainder to the heaviest members first, deterministically.
  const order = members
    .map((m, i) => ({ m, w: weights[i] }))
    .sort((a, b) => b.w - a.w || a.m.name.localeCompare(b.m.name));
  for (let i = 0; given < total && order.length > 0; i++, given++) {
    const name = order[i % order.length].m.name;
    result.set(name, (result.get(name) ?? 0) + 1);
  }
  return result;
}

/** Member clusters a placement selects (empty affinity: every cluster). */
function placedMembers(placement: any, clusters: ClusterApi[]): ClusterApi[] {
  if (placement?.clusterAffinity) {
    return clusters.filter(c => matchesAffinity(c, placement.clusterAffinity));
  }
  for (const group of placement?.clusterAffinities ?? []) {
    const hit = clusters.filter(c => matchesAffinity(c, group));
    if (hit.length > 0) {
      return hit;
    }
  }
  return placement?.clusterAffinities?.length ? [] : clusters;
}

function karmadaReconcile(ctx: ControllerContext): void {
  const host = ctx.cluster;
  const policies = safeList(host, KARMADA_API, 'PropagationPolicy').sort(
    (a, b) =>
      (Number(b.spec?.priority) || 0) - (Number(a.spec?.priority) || 0) ||
      a.metadata.name.localeCompare(b.metadata.name),
  );
  const overridePolicies = safeList(host, KARMADA_API, 'OverridePolicy').sort(
    (a, b) => a.metadata.name.localeCompare(b.metadata.name),
  );
  const clusters = [...ctx.clusters.values()].sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  // apiVersion/kind pairs the policies speak of, plus the ones the product
  // always propagates, so removal also finds copies of deselected kinds.
  const kinds = new Map<string, string>([
    ['apps/v1 StatefulSet', 'apps/v1'],
    ['v1 Service', 'v1'],
    ['v1 ConfigMap', 'v1'],
    ['v1 Secret', 'v1'],
  ]);
  for (const p of policies) {
    for (const s of (p.spec?.resourceSelectors ?? []) as ResourceSelector[]) {
      kinds.set(`${s.apiVersion} ${s.kind}`, s.apiVersion);
    }
  }
  /** member → namespace/kind/name of every object that should be there. */
  const wanted = new Map<string, Set<string>>();
  const claimed = new Set<string>();

  for (const policy of policies) {
    const ns = policy.metadata.namespace ?? 'default';
    const selectors = (policy.spec?.resourceSelectors ??
      []) as ResourceSelector[];
    const templates: KubeObject[] = [];
    for (const s of selectors) {
      for (const obj of safeList(
        host,
        s.apiVersion,
        s.kind,
        s.namespace ?? ns,
      )) {
        const id = `${obj.apiVersion}/${obj.kind}/${obj.metadata.namespace}/${obj.metadata.name}`;
        if (
          !obj.metadata.deletionTimestamp &&
          selects(s, obj, ns) &&
          !claimed.has(id)
        ) {
          claimed.add(id);
          templates.push(obj);
        }
      }
    }
    const members = placedMembers(policy.spec?.placement, clusters);
    const divided =
      policy.spec?.placement?.replicaScheduling?.replicaSchedulingType ===
      'Divided';
    for (let template of templates) {
      template = markTemplate(host, template, policy);
      const replicas = divided
        ? divideReplicas(Number(template.spec?.replicas ?? 0), members, policy)
        : undefined;
      for (const member of members) {
        const key = `${template.metadata.namespace}/${template.kind}/${template.metadata.name}`;
        if (!wanted.has(member.name)) {
          wanted.set(member.name, new Set());
        }
        wanted.get(member.name)!.add(key);
        if (member.name === host.name || ctx.isDown(member.name)) {
          // On the host the template itself is the workload; a down member
          // is synced when it comes back.
          continue;
        }
        propagateToMember(member, template, policy, overridePolicies, replicas);
      }
      if (
        !members.some(m => m.name === host.name) &&
        typeof template.spec?.replicas === 'number'
      ) {
        aggregateStatus(ctx, host, template, members);
      }
    }
  }
  removeUnplaced(ctx, host, clusters, kinds, wanted);
}

/** Records on the template which policy propagates it, as Karmada does. */
function markTemplate(
  host: ClusterApi,
  template: KubeObject,
  policy: KubeObject,
) {
  const annotations = template.metadata.annotations ?? {};
  if (
    annotations[PP_NAME] === policy.metadata.name &&
    annotations[PP_NAMESPACE] === policy.metadata.namespace
  ) {
    return template;
  }
  return host.update({
    ...template,
    metadata: {
      ...template.metadata,
      annotations: {
        ...annotations,
        [PP_NAME]: policy.metadata.name,
        [PP_NAMESPACE]: policy.metadata.namespace ?? 'default',
      },
    },
  });
}

function propagateToMember(
  member: ClusterApi,
  template: KubeObject,
  policy: KubeObject,
  overridePolicies: KubeObject[],
  replicas: Map<string, number> | undefined,
): void {
  const desired = memberCopy(template);
  if (desired.kind === 'Service' && desired.spec) {
    for (const k of ['clusterIP', 'clusterIPs']) {
      if (desired.spec.clusterIP !== 'None') {
        delete desired.spec[k];
      }
    }
  }
  if (replicas && desired.spec) {
    desired.spec.replicas = replicas.get(member.name) ?? 0;
  }
  try {
    for (const op of overridePolicies) {
      const ns = op.metadata.namespace ?? 'default';
      const selectors = (op.spec?.resourceSelectors ??
        []) as ResourceSelector[];
      if (
        selectors.length > 0
          ? !selectors.some(s => selects(s, template, ns))
          : template.metadata.namespace !== ns
      ) {
        continue;
      }
      const rules: Array<{
        targetCluster?: ClusterAffinity;
        overriders?: Overriders;
      }> =
        op.spec?.overrideRules ??
        (op.spec?.overriders
          ? [
              {
                targetCluster: op.spec.targetCluster,
                overriders: op.spec.overriders,
              },
            ]
          : []);
      for (const rule of rules) {
        if (matchesAffinity(member, rule.targetCluster)) {
          applyOverriders(desired, rule.overriders ?? {});
        }
      }
    }
  } catch {
    // A broken override leaves the member as it is, as Karmada does.
    return;
  }
  const policyNamespace = policy.metadata.namespace ?? 'default';
  const labelKeys = Object.keys(desired.metadata.labels ?? {}).sort();
  const annotationKeys = Object.keys(desired.metadata.annotations ?? {}).sort();
  desired.metadata.labels = {
    ...desired.metadata.labels,
    [KARMADA_MANAGED]: 'true',
    [PP_NAME]: policy.metadata.name,
    [PP_NAMESPACE]: policyNamespace,
  };
  desired.metadata.annotations = {
    ...desired.metadata.annotations,
    [PP_NAME]: policy.metadata.name,
    [PP_NAMESPACE]: policyNamespace,
    [TEMPLATE_UID]: template.metadata.uid ?? '',
    [BINDING_NAME]: `${template.metadata.name}-${template.kind.toLowerCase()}`,
    [BINDING_NAMESPACE]: template.metadata.namespace ?? 'default',
    [MANAGED_LABELS]: labelKeys.join(','),
    [MANAGED_ANNOTATIONS]: annotationKeys.join(','),
  };
  const existing = member.get(
    desired.apiVersion,
    desired.kind,
    desired.metadata.namespace,
    desired.metadata.name,
  );
  if (existing) {
    const ours =
      existing.metadata.labels?.[KARMADA_MANAGED] === 'true' &&
      existing.metadata.labels?.[PP_NAME] === policy.metadata.name;
    if (!ours && policy.spec?.conflictResolution !== 'Overwrite') {
      // Abort (the default): never take over an object someone else owns.
      return;
    }
  }
  syncMember(member, desired, existing, {
    labels: splitList(existing?.metadata.annotations?.[MANAGED_LABELS]),
    annotations: splitList(
      existing?.metadata.annotations?.[MANAGED_ANNOTATIONS],
    ),
  });
}

/** Sums the members' workload status into the template, like Karmada's aggregation. */
function aggregateStatus(
  ctx: ControllerContext,
  host: ClusterApi,
  template: KubeObject,
  members: ClusterApi[],
): void {
  const sums: Record<string, number> = {
    replicas: 0,
    readyReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    availableReplicas: 0,
  };
  for (const member of members) {
    if (ctx.isDown(member.name)) {
      continue;
    }
    const copy = member.get(
      template.apiVersion,
      template.kind,
      template.metadata.namespace,
      template.metadata.name,
    );
    for (const key of Object.keys(sums)) {
      sums[key] += Number(copy?.status?.[key] ?? 0);
    }
  }
  const status = {
    ...template.status,
    ...sums,
    observedGeneration: template.metadata.generation ?? 1,
  };
  if (JSON.stringify(status) !== JSON.stringify(template.status ?? {})) {
    host.updateStatus({ ...template, status });
  }
}

function removeUnplaced(
  ctx: ControllerContext,
  host: ClusterApi,
  clusters: ClusterApi[],
  kinds: Map<string, string>,
  wanted: Map<string, Set<string>>,
): void {
  for (const member of clusters) {
    if (member.name === host.name || ctx.isDown(member.name)) {
      continue;
    }
    const keep = wanted.get(member.name) ?? new Set<string>();
    for (const [key, apiVersion] of kinds) {
      const kind = key.split(' ')[1];
      for (const obj of safeList(member, apiVersion, kind)) {
        if (
          obj.metadata.labels?.[KARMADA_MANAGED] === 'true' &&
          obj.metadata.labels?.[PP_NAME] &&
          !keep.has(
            `${obj.metadata.namespace}/${obj.kind}/${obj.metadata.name}`,
          )
        ) {
          member.delete(
            apiVersion,
            kind,
            obj.metadata.namespace,
            obj.metadata.name,
          );
        }
      }
    }
  }
}

/**
 * Whether an object of this cluster is only a Karmada resource template:
 * selected by a PropagationPolicy of this (host) cluster whose placement
 * leaves the host out. Such a template runs nowhere on the host — a
 * StatefulSet controller should not start pods for it.
 */
export function isKarmadaTemplateOnly(
  ctx: ControllerContext,
  obj: KubeObject,
): boolean {
  const host = isFederationHost(ctx, 'karmada');
  if (host === false) {
    return false;
  }
  const clusters = [...ctx.clusters.values()];
  return safeList(ctx.cluster, KARMADA_API, 'PropagationPolicy').some(
    policy =>
      ((policy.spec?.resourceSelectors ?? []) as ResourceSelector[]).some(s =>
        selects(s, obj, policy.metadata.namespace ?? 'default'),
      ) &&
      !placedMembers(policy.spec?.placement, clusters).some(
        m => m.name === ctx.cluster.name,
      ),
  );
}

/** The Karmada control plane, active only in the cluster marked `federationHost: karmada`. */
export function karmadaController(): Controller {
  return {
    name: 'karmada',
    reconcile(ctx) {
      const host = isFederationHost(ctx, 'karmada');
      if (
        host === false ||
        ctx.isDown(ctx.cluster.name) ||
        (host === undefined &&
          safeList(ctx.cluster, KARMADA_API, 'PropagationPolicy').length === 0)
      ) {
        return;
      }
      karmadaReconcile(ctx);
    },
  };
}

// ---------------------------------------------------------------------------
// KubeFed

/** Member clusters a FederatedStatefulSet's placement names or selects. */
function kubefedMembers(fss: KubeObject, clusters: ClusterApi[]): ClusterApi[] {
  const placement = fss.spec?.placement;
  if (Array.isArray(placement?.clusters)) {
    const names = new Set(
      placement.clusters.map((c: { name: string }) => c.name),
    );
    return clusters.filter(c => names.has(c.name));
  }
  if (placement?.clusterSelector) {
    return clusters.filter(c =>
      matchesLabelSelector(clusterLabels(c), placement.clusterSelector),
    );
  }
  return [];
}

function kubefedDesired(fss: KubeObject, member: string): KubeObject {
  const template = fss.spec?.template ?? {};
  const desired = memberCopy({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: fss.metadata.name,
      namespace: fss.metadata.namespace,
      labels: template.metadata?.labels,
      annotations: template.metadata?.annotations,
    },
    spec: template.spec ?? {},
  });
  const overrides = (fss.spec?.overrides ?? []).filter(
    (o: { clusterName: string }) => o.clusterName === member,
  );
  for (const o of overrides) {
    for (const edit of o.clusterOverrides ?? []) {
      applyJsonPatchOp(desired, edit.op ?? 'replace', edit.path, edit.value);
    }
  }
  desired.metadata.labels = {
    ...desired.metadata.labels,
    [KUBEFED_MANAGED]: 'true',
  };
  return desired;
}

function kubefedReconcile(ctx: ControllerContext): void {
  const host = ctx.cluster;
  const clusters = [...ctx.clusters.values()].sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  const wanted = new Map<string, Set<string>>();
  const now = new Date(ctx.now()).toISOString().replace(/\.\d+Z$/, 'Z');
  for (const fss of safeList(host, KUBEFED_API, 'FederatedStatefulSet')) {
    if (fss.metadata.deletionTimestamp) {
      continue;
    }
    const key = `${fss.metadata.namespace}/${fss.metadata.name}`;
    const results: Array<{
      name: string;
      status: string;
      remoteStatus?: unknown;
    }> = [];
    for (const member of kubefedMembers(fss, clusters)) {
      if (!wanted.has(member.name)) {
        wanted.set(member.name, new Set());
      }
      wanted.get(member.name)!.add(key);
      if (ctx.isDown(member.name)) {
        results.push({ name: member.name, status: 'ClusterNotReady' });
        continue;
      }
      let desired: KubeObject;
      try {
        desired = kubefedDesired(fss, member.name);
      } catch {
        results.push({ name: member.name, status: 'ComputeResourceFailed' });
        continue;
      }
      const existing = member.get(
        'apps/v1',
        'StatefulSet',
        fss.metadata.namespace,
        fss.metadata.name,
      );
      if (existing && existing.metadata.labels?.[KUBEFED_MANAGED] !== 'true') {
        results.push({ name: member.name, status: 'AlreadyExists' });
        continue;
      }
      try {
        syncMember(member, desired, existing, { labels: [], annotations: [] });
      } catch {
        results.push({
          name: member.name,
          status: existing ? 'UpdateFailed' : 'CreationFailed',
        });
        continue;
      }
      const current = member.get(
        'apps/v1',
        'StatefulSet',
        fss.metadata.namespace,
        fss.metadata.name,
      );
      const s = current?.status ?? {};
      results.push({
        name: member.name,
        status: 'OK',
        remoteStatus: {
          replicas: s.replicas ?? 0,
          readyReplicas: s.readyReplicas ?? 0,
          currentReplicas: s.currentReplicas ?? 0,
          updatedReplicas: s.updatedReplicas ?? 0,
          observedGeneration: s.observedGeneration ?? 0,
        },
      });
    }
    writeKubefedStatus(host, fss, results, now);
  }
  for (const member of clusters) {
    if (ctx.isDown(member.name)) {
      continue;
    }
    const keep = wanted.get(member.name) ?? new Set<string>();
    for (const sts of safeList(member, 'apps/v1', 'StatefulSet')) {
      if (
        sts.metadata.labels?.[KUBEFED_MANAGED] === 'true' &&
        !keep.has(`${sts.metadata.namespace}/${sts.metadata.name}`)
      ) {
        member.delete(
          'apps/v1',
          'StatefulSet',
          sts.metadata.namespace,
          sts.metadata.name,
        );
      }
    }
  }
}

function writeKubefedStatus(
  host: ClusterApi,
  fss: KubeObject,
  clusters: Array<{ name: string; status: string; remoteStatus?: unknown }>,
  now: string,
): void {
  const ok = clusters.every(c => c.status === 'OK');
  const old = (fss.status?.conditions ?? []).find(
    (c: { type: string }) => c.type === 'Propagation',
  );
  const status = ok ? 'True' : 'False';
  const condition = {
    type: 'Propagation',
    status,
    ...(ok ? {} : { reason: 'CheckClusters' }),
    lastUpdateTime: old?.status === status ? old.lastUpdateTime : now,
    lastTransitionTime: old?.status === status ? old.lastTransitionTime : now,
  };
  const next = {
    observedGeneration: fss.metadata.generation ?? 1,
    clusters: [...clusters].sort((a, b) => a.name.localeCompare(b.name)),
    conditions: [condition],
  };
  if (JSON.stringify(next) !== JSON.stringify(fss.status ?? {})) {
    host.updateStatus({ ...fss, status: next });
  }
}

/** The KubeFed control plane, active only in the cluster marked `federationHost: kubefed`. */
export function kubefedController(): Controller {
  return {
    name: 'kubefed',
    reconcile(ctx) {
      const host = isFederationHost(ctx, 'kubefed');
      if (
        host === false ||
        ctx.isDown(ctx.cluster.name) ||
        (host === undefined &&
          safeList(ctx.cluster, KUBEFED_API, 'FederatedStatefulSet').length ===
            0)
      ) {
        return;
      }
      kubefedReconcile(ctx);
    },
  };
}
