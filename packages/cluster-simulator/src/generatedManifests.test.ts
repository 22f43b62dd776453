/*
 * The Software Template's generated manifests, as the simulator's API server
 * and StatefulSet controller would take them: every object of every golden
 * case passes the API server's checks, and every pod each StatefulSet would
 * create passes the Pod rules (the API server skips most of them when the
 * StatefulSet itself is written, so a bad template only shows pod by pod).
 * The golden files are read from the scaffolder module's fixtures, which
 * that module's golden test keeps equal to the generator's output.
 */
import path from 'node:path';
import { podSpecErrors } from './api/podValidation';
import { builtinResources } from './api/resources';
import { validateObject } from './api/validation';
import { statefulPodSpec } from './controllers/statefulSet/createPod';
import type { KubeObject } from './controllers/types';
import { loadWorld } from './world';
import { goldenCases, goldenObjects } from './__testUtils__/goldenCases';

/** The StatefulSets an object carries: itself, or a FederatedStatefulSet's template. */
function statefulSetsIn(obj: any): KubeObject[] {
  if (obj.apiVersion === 'apps/v1' && obj.kind === 'StatefulSet') return [obj];
  if (obj.kind === 'FederatedStatefulSet' && obj.spec?.template) {
    return [
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        ...obj.spec.template,
        metadata: { ...obj.metadata, ...obj.spec.template.metadata },
      },
    ];
  }
  return [];
}

/** The errors of each pod a StatefulSet would create, by pod name. */
function statefulSetPodErrors(sts: KubeObject): string[] {
  const start = sts.spec?.ordinals?.start ?? 0;
  const replicas = Math.max(sts.spec?.replicas ?? 1, 1);
  const out: string[] = [];
  for (let o = start; o < start + replicas; o++) {
    // Manifests must run on clusters older than 1.34 too: strict env names.
    for (const c of podSpecErrors(statefulPodSpec(sts, o), 'spec', {
      strictEnvNames: true,
    })) {
      out.push(`Pod "${sts.metadata.name}-${o}": ${c.field}: ${c.message}`);
    }
  }
  return out;
}

const WORLD_FILE = path.resolve(
  __dirname,
  '../../../examples/world/world.yaml',
);

const cases = goldenCases();
const builtins = builtinResources();

describe('generated manifests against the API server rules', () => {
  it('finds the golden cases', () => {
    expect(cases.length).toBeGreaterThan(10);
  });

  it.each(cases)('%s: every object and every pod is valid', id => {
    const objects = goldenObjects(id);
    expect(objects.length).toBeGreaterThan(0);
    const problems: string[] = [];
    let statefulSets = 0;
    for (const { file, obj } of objects) {
      const [group, version] = obj.apiVersion.includes('/')
        ? obj.apiVersion.split('/')
        : ['', obj.apiVersion];
      const t = builtins.find(
        r => r.group === group && r.version === version && r.kind === obj.kind,
      );
      if (t) {
        for (const c of validateObject(t, obj))
          problems.push(`${file}: ${c.field}: ${c.message}`);
      }
      for (const sts of statefulSetsIn(obj)) {
        statefulSets++;
        problems.push(...statefulSetPodErrors(sts).map(p => `${file}: ${p}`));
      }
    }
    // CloudNativePG runs PostgreSQL without a StatefulSet of ours; every
    // other engine has at least one.
    expect({ id, hasStatefulSets: statefulSets > 0 }).toEqual({
      id,
      hasStatefulSets: !id.startsWith('postgresql-'),
    });
    expect(problems).toEqual([]);
  });
});

describe('the demo world against the Pod rules', () => {
  it('holds only StatefulSets whose pods the API server accepts', () => {
    const problems: string[] = [];
    let statefulSets = 0;
    for (const c of loadWorld(WORLD_FILE).clusters) {
      for (const { object } of c.objects) {
        for (const sts of statefulSetsIn(object)) {
          statefulSets++;
          problems.push(
            ...statefulSetPodErrors(sts).map(p => `${c.name}: ${p}`),
          );
        }
      }
    }
    expect(statefulSets).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });
});
