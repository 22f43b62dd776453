/*
 * Every object of every golden case of the Software Template, held strictly
 * to its upstream schema: built-in kinds to the Kubernetes 1.35 OpenAPI v3
 * documents, custom resources to the upstream CRDs with their CEL rules,
 * kustomizations to the kustomize schema, and what federation places on member clusters: a FederatedStatefulSet's
 * StatefulSet as written and as each member gets it after its overrides,
 * and each template a Karmada OverridePolicy selects as each member gets
 * it. Violations the generator is still known to produce are listed below,
 * each with the defect it comes from; the list may only shrink: a listed
 * violation that no longer occurs fails the test as surely as a new one.
 */
import { applyJsonPatch } from './api/jsonPatch';
import type { KubeObject } from './controllers/types';
import { applyOverriders } from './controllers/federation/overriders';
import {
  goldenCases,
  goldenObjects,
  type GoldenObject,
} from './__testUtils__/goldenCases';
import type { UnevaluatedRule } from './__testUtils__/celRules';
import { validateStrictly } from './__testUtils__/strictValidation';

/** One violation: where (case, file, object) and what (path, message). */
interface Violation {
  case: string;
  file: string;
  object: string;
  path: string;
  message: string;
}

/** A violation the generator is known to produce, and the defect it comes from. */
interface KnownViolation extends Violation {
  reason: string;
}

const KNOWN_VIOLATIONS: KnownViolation[] = [];

/** CEL rules met in the goldens that the CEL library cannot run. */
const KNOWN_UNEVALUATED: Array<{ rule: string; reason: string }> = [];

/** Kinds no upstream schema describes here (not Kubernetes objects). */
const UNSCHEMED_KINDS = ['backstage.io/v1alpha1 Component'];

/** An object to validate, named for the report, and the file it comes from. */
interface Checked {
  file: string;
  name: string;
  obj: KubeObject;
}

const nameOf = (obj: KubeObject) => `${obj.kind}/${obj.metadata?.name ?? ''}`;

/** The apiVersion of each kind a KubeFed federated type places. */
const KUBEFED_TARGETS: Record<string, string> = {
  StatefulSet: 'apps/v1',
  Namespace: 'v1',
  Service: 'v1',
  ConfigMap: 'v1',
};

/**
 * The object a KubeFed federated type places (a FederatedStatefulSet's
 * StatefulSet, …) as written in its template and as each member cluster
 * gets it after that cluster's overrides.
 */
function kubefedMembers({ file, obj }: GoldenObject): Checked[] {
  const target = obj.kind.replace(/^Federated/, '');
  const apiVersion = KUBEFED_TARGETS[target];
  if (obj.apiVersion !== 'types.kubefed.io/v1beta1' || !apiVersion) return [];
  if (!obj.spec?.template) return [];
  const template: KubeObject = {
    apiVersion,
    kind: target,
    ...obj.spec.template,
    metadata: { name: obj.metadata.name, ...obj.spec.template.metadata },
  };
  const placed = (obj.spec.overrides ?? []).map((o: any) => ({
    file,
    name: `${nameOf(obj)} in ${o.clusterName}`,
    obj: applyJsonPatch(
      structuredClone(template),
      o.clusterOverrides ?? [],
    ) as KubeObject,
  }));
  return [{ file, name: `${nameOf(obj)} template`, obj: template }, ...placed];
}

/**
 * Each resource template an OverridePolicy selects, as each member cluster
 * its rules name gets it (rules of every policy applied in name order).
 */
function karmadaMembers(objects: GoldenObject[]): Checked[] {
  const policies = objects
    .filter(o => o.obj.kind === 'OverridePolicy')
    .sort((a, b) => a.obj.metadata.name.localeCompare(b.obj.metadata.name));
  const out: Checked[] = [];
  for (const { file, obj: template } of objects) {
    const rules = policies.flatMap(p =>
      (p.obj.spec?.resourceSelectors ?? []).some(
        (sel: any) =>
          sel.apiVersion === template.apiVersion &&
          sel.kind === template.kind &&
          sel.name === template.metadata?.name,
      )
        ? p.obj.spec.overrideRules ?? []
        : [],
    );
    const clusters = new Set<string>(
      rules.flatMap((r: any) => r.targetCluster?.clusterNames ?? []),
    );
    for (const cluster of clusters) {
      const member = structuredClone(template);
      const applied = rules.filter((r: any) =>
        (r.targetCluster?.clusterNames ?? []).includes(cluster),
      );
      applied.forEach((r: any) => applyOverriders(member, r.overriders ?? {}));
      out.push({
        file,
        name: `${nameOf(template)} in ${cluster}`,
        obj: member,
      });
    }
  }
  return out;
}

/** Every object of a case, and every object it places on a member cluster. */
function objectsToCheck(objects: GoldenObject[]): Checked[] {
  return [
    ...objects.map(o => ({ file: o.file, name: nameOf(o.obj), obj: o.obj })),
    ...objects.flatMap(kubefedMembers),
    ...karmadaMembers(objects),
  ];
}

interface CaseOutcome {
  checked: string[];
  violations: Violation[];
  unevaluated: UnevaluatedRule[];
  celEvaluated: number;
  unschemed: string[];
}

function checkCase(id: string): CaseOutcome {
  const out: CaseOutcome = {
    checked: [],
    violations: [],
    unevaluated: [],
    celEvaluated: 0,
    unschemed: [],
  };
  for (const { file, name, obj } of objectsToCheck(goldenObjects(id))) {
    const result = validateStrictly(obj);
    out.checked.push(name);
    if (result.schema === 'none') {
      out.unschemed.push(`${obj.apiVersion} ${obj.kind}`);
    }
    out.celEvaluated += result.celEvaluated;
    out.unevaluated.push(...result.unevaluated);
    for (const e of result.errors) {
      out.violations.push({
        case: id,
        file,
        object: name,
        path: e.path,
        message: e.message,
      });
    }
  }
  return out;
}

const keyOf = (v: Violation) =>
  [v.case, v.file, v.object, v.path, v.message].join(' | ');

const cases = goldenCases();
const outcomes = new Map(cases.map(id => [id, checkCase(id)]));

describe('generated manifests against the upstream schemas', () => {
  it('finds the golden cases', () => {
    expect(cases.length).toBeGreaterThan(10);
  });

  it.each(cases)('%s: no violation beyond the known ones', id => {
    const found = outcomes.get(id)!.violations.map(keyOf);
    const known = KNOWN_VIOLATIONS.filter(v => v.case === id).map(keyOf);
    expect({
      unexpected: found.filter(k => !known.includes(k)),
      noLongerOccurring: known.filter(k => !found.includes(k)),
    }).toEqual({ unexpected: [], noLongerOccurring: [] });
  });

  it.each(cases.filter(id => /-(karmada|kubefed)-/.test(id)))(
    '%s: checks what federation places on each member cluster',
    id => {
      const members = outcomes
        .get(id)!
        .checked.filter(name => / in [a-z0-9-]+$/.test(name));
      expect(members.length).toBeGreaterThan(0);
    },
  );

  it('lists known violations of golden cases only', () => {
    const unknownCases = KNOWN_VIOLATIONS.filter(v => !cases.includes(v.case));
    expect(unknownCases).toEqual([]);
  });

  it('holds every object but the catalog entity to an upstream schema', () => {
    const kustomizations = [...outcomes.values()].flatMap(o =>
      o.checked.filter(name => name.startsWith('Kustomization/')),
    );
    expect(kustomizations.length).toBeGreaterThan(cases.length);
    const unschemed = new Set([...outcomes.values()].flatMap(o => o.unschemed));
    expect([...unschemed].sort()).toEqual(UNSCHEMED_KINDS);
  });

  it('runs the CEL rules it meets, naming each one it cannot run', () => {
    const all = [...outcomes.values()];
    const evaluated = all.reduce((n, o) => n + o.celEvaluated, 0);
    const unevaluated = new Map<string, string>();
    for (const u of all.flatMap(o => o.unevaluated)) {
      unevaluated.set(u.rule, u.reason);
    }
    const count = all.reduce((n, o) => n + o.unevaluated.length, 0);
    // eslint-disable-next-line no-console
    console.info(
      `CEL rules: ${evaluated} evaluated, ${count} unevaluated (${unevaluated.size} distinct)`,
    );
    expect(evaluated).toBeGreaterThan(0);
    expect(
      [...unevaluated].map(([rule, reason]) => ({ rule, reason })),
    ).toEqual(KNOWN_UNEVALUATED);
  });
});
