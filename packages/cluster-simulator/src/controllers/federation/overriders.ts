// Karmada's OverridePolicy overriders (image, command, args, labels,
// annotations, field, plaintext), applied to a member's copy of a template.
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { applyJsonPatchOp, getAt } from './jsonPointer';
import type { KubeObject } from '../types';

/** One OverridePolicy rule's overriders, as Karmada's API spells them. */
export interface Overriders {
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
