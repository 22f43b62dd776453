/*
 * Label and field selectors as the Kubernetes API server parses them from
 * `labelSelector` / `fieldSelector` query parameters, plus the conversion of a
 * `metav1.LabelSelector` object (matchLabels / matchExpressions).
 */

/** One parsed label requirement. */
export interface LabelRequirement {
  key: string;
  op: 'eq' | 'neq' | 'in' | 'notin' | 'exists' | '!exists';
  values: string[];
}

/** A parsed label selector: all requirements must hold. */
export type LabelSelector = LabelRequirement[];

/** Thrown for a selector the API server would reject (HTTP 400). */
export class SelectorError extends Error {}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '' || parts.length > 0) parts.push(cur);
  return parts.map(p => p.trim()).filter(p => p !== '');
}

const KEY =
  /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;

function checkKey(key: string, raw: string): string {
  if (!KEY.test(key)) {
    throw new SelectorError(
      `unable to parse requirement: invalid label key "${key}" in "${raw}"`,
    );
  }
  return key;
}

/** Parses `a=b,c!=d,e in (f,g),!h,i` into requirements. */
export function parseLabelSelector(raw: string | undefined): LabelSelector {
  if (!raw) return [];
  const out: LabelSelector = [];
  for (const part of splitTopLevel(raw)) {
    let m = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(part);
    if (m) {
      out.push({
        key: checkKey(m[1], part),
        op: m[2] as 'in' | 'notin',
        values: m[3]
          .split(',')
          .map(v => v.trim())
          .filter(v => v !== ''),
      });
      continue;
    }
    m = /^(.+?)\s*(==|!=|=)\s*(.*)$/.exec(part);
    if (m) {
      out.push({
        key: checkKey(m[1].trim(), part),
        op: m[2] === '!=' ? 'neq' : 'eq',
        values: [m[3].trim()],
      });
      continue;
    }
    if (part.startsWith('!')) {
      out.push({
        key: checkKey(part.slice(1).trim(), part),
        op: '!exists',
        values: [],
      });
      continue;
    }
    out.push({ key: checkKey(part, part), op: 'exists', values: [] });
  }
  return out;
}

/** True when the labels satisfy every requirement. */
export function matchesLabels(
  sel: LabelSelector,
  labels: Record<string, string> | undefined,
): boolean {
  const l = labels ?? {};
  return sel.every(r => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'eq':
        return has && v === r.values[0];
      case 'neq':
        return !has || v !== r.values[0];
      case 'in':
        return has && r.values.includes(v);
      case 'notin':
        return !has || !r.values.includes(v);
      case 'exists':
        return has;
      case '!exists':
        return !has;
      default:
        return false;
    }
  });
}

/** A `metav1.LabelSelector` object, as found in workload specs. */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{
    key: string;
    operator: string;
    values?: string[];
  }>;
}

/** Converts a LabelSelector object to requirements. */
export function fromSelectorObject(
  sel: LabelSelectorObject | undefined,
): LabelSelector {
  if (!sel) return [];
  const out: LabelSelector = Object.entries(sel.matchLabels ?? {}).map(
    ([key, v]) => ({ key, op: 'eq' as const, values: [v] }),
  );
  for (const e of sel.matchExpressions ?? []) {
    const op = (
      {
        In: 'in',
        NotIn: 'notin',
        Exists: 'exists',
        DoesNotExist: '!exists',
      } as const
    )[e.operator as 'In'];
    if (op) out.push({ key: e.key, op, values: e.values ?? [] });
  }
  return out;
}

/** Renders requirements back into the query-string form. */
export function formatLabelSelector(sel: LabelSelector): string {
  return sel
    .map(r => {
      switch (r.op) {
        case 'eq':
          return `${r.key}=${r.values[0]}`;
        case 'neq':
          return `${r.key}!=${r.values[0]}`;
        case 'in':
          return `${r.key} in (${r.values.join(',')})`;
        case 'notin':
          return `${r.key} notin (${r.values.join(',')})`;
        case 'exists':
          return r.key;
        default:
          return `!${r.key}`;
      }
    })
    .join(',');
}

/** One parsed field requirement (`=`, `==` or `!=` only, as upstream). */
export interface FieldRequirement {
  field: string;
  negate: boolean;
  value: string;
}

/** Parses a field selector; unsupported fields are checked by the caller. */
export function parseFieldSelector(
  raw: string | undefined,
): FieldRequirement[] {
  if (!raw) return [];
  return splitTopLevel(raw).map(part => {
    const m = /^([^=!]+)\s*(==|!=|=)\s*(.*)$/.exec(part);
    if (!m) {
      throw new SelectorError(
        `invalid selector: '${raw}'; can't understand '${part}'`,
      );
    }
    return { field: m[1].trim(), negate: m[2] === '!=', value: m[3].trim() };
  });
}

function fieldValue(obj: any, field: string): string | undefined {
  let cur = obj;
  for (const p of field.split('.')) {
    if (cur === undefined || cur === null) return undefined;
    cur = cur[p];
  }
  if (cur === undefined || cur === null) return undefined;
  return String(cur);
}

/** The fields each kind can be selected on, beyond metadata.name/namespace. */
export const SUPPORTED_FIELDS: Record<string, string[]> = {
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  Pod: [
    'spec.nodeName',
    'status.phase',
    'spec.serviceAccountName',
    'status.podIP',
  ],
  Secret: ['type'],
  Namespace: ['status.phase'],
  Node: ['spec.unschedulable'],
  ReplicaSet: ['status.replicas'],
  Job: ['status.successful'],
};

/** Returns the first field the kind cannot be selected on, if any. */
export function unsupportedField(
  kind: string,
  reqs: FieldRequirement[],
): string | undefined {
  const ok = [
    'metadata.name',
    'metadata.namespace',
    ...(SUPPORTED_FIELDS[kind] ?? []),
  ];
  return reqs.find(r => !ok.includes(r.field))?.field;
}

/** True when the object satisfies every field requirement. */
export function matchesFields(reqs: FieldRequirement[], obj: any): boolean {
  return reqs.every(r => {
    let v = fieldValue(obj, r.field);
    if (r.field === 'metadata.namespace' && v === undefined) v = '';
    if (r.field === 'source' && obj.source) v = obj.source.component;
    const eq = (v ?? '') === r.value;
    return r.negate ? !eq : eq;
  });
}

/**
 * The string form of a LabelSelector as metav1.LabelSelectorAsSelector prints
 * it (requirements sorted by key, values sorted), which is what the scale
 * subresource's status.selector carries for autoscalers to list pods with.
 */
export function labelSelectorString(
  sel: LabelSelectorObject | undefined,
): string {
  const reqs = fromSelectorObject(sel).map(r => ({
    ...r,
    values: [...r.values].sort(),
  }));
  reqs.sort((a, b) => Number(a.key > b.key) - Number(a.key < b.key));
  return formatLabelSelector(reqs);
}
