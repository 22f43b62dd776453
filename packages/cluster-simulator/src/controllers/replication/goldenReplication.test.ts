/*
 * Every golden case of the Software Template, applied to a simulated world
 * and reconciled: the replication model derived from the engines' own
 * configuration shows every replica connected to its source cluster — not
 * because an annotation says so, but because each configured host resolves
 * to that cluster by the DNS its routing provides.
 */
import { goldenCases as caseDirs } from '../../__testUtils__/goldenCases';
// The cases the generator produces today: a folder of a case it no longer
// has is a leftover, and may hold a combination the template now refuses.
// (A test reading the sibling package's fixtures, as goldenCases does.)
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { goldenCases as generatorCases } from '../../../../../plugins/scaffolder-backend-module-statefulsets/src/generate/__fixtures__/cases';
import {
  ERROR_ANNOTATION,
  LAG_ANNOTATION,
  SOURCE_ANNOTATION,
} from '../replicationLagController';
import type { FakeWorld } from '../testing';
import type { KubeObject } from '../types';
import { engineConfigOf } from './engineConfig';
import { goldenWorld, settle } from '../../__testUtils__/goldenWorld';
import { checkLinks } from './links';

const current = new Set(generatorCases.map(c => c.id));
const cases = caseDirs().filter(id => current.has(id));

/** The databases' sides in the member clusters: StatefulSets and CNPG Clusters. */
function sides(world: FakeWorld) {
  return [...world.clusters.values()]
    .filter(c => !c.federationHost)
    .flatMap(c =>
      [
        ...c.list('apps/v1', 'StatefulSet'),
        ...c.list('postgresql.cnpg.io/v1', 'Cluster'),
      ].map(obj => ({ cluster: c, obj })),
    );
}

function describeSide(cluster: string, obj: KubeObject) {
  return `${cluster}: ${obj.kind} ${obj.metadata.namespace}/${obj.metadata.name}`;
}

/** What keeps a case's replicas from their sources, and how many links work. */
function replicationProblems(world: FakeWorld) {
  const problems: string[] = [];
  let crossClusterLinks = 0;
  for (const { cluster, obj } of sides(world)) {
    const a = obj.metadata.annotations ?? {};
    const where = describeSide(cluster.name, obj);
    if (a[ERROR_ANNOTATION]) problems.push(`${where}: ${a[ERROR_ANNOTATION]}`);
    const source = a[SOURCE_ANNOTATION];
    if (source && source !== cluster.name) {
      if (!world.clusters.has(source))
        problems.push(`${where}: source ${source} is no cluster`);
      else if (a[LAG_ANNOTATION] === undefined)
        problems.push(`${where}: no lag measured from ${source}`);
      else crossClusterLinks++;
    }
    const config =
      obj.kind === 'StatefulSet' ? engineConfigOf(cluster, obj) : undefined;
    for (const link of config
      ? checkLinks(config, cluster, world.clusters, obj.metadata.namespace!)
      : []) {
      if (link.error) problems.push(`${where}: ${link.error}`);
      else if (link.source !== cluster.name && !source) crossClusterLinks++;
    }
  }
  return { problems, crossClusterLinks };
}

describe('the replication of every golden case, as the engines configure it', () => {
  it('finds the golden folder of every case the generator has', () => {
    expect(cases.length).toBe(current.size);
  });

  it.each(cases)('%s: every replica is connected to its source', id => {
    const world = goldenWorld(id);
    settle(world);
    const { problems, crossClusterLinks } = replicationProblems(world);
    expect({ id, problems }).toEqual({ id, problems: [] });
    // Every database but a generic active-active one replicates between
    // its clusters.
    expect({ id, replicates: crossClusterLinks > 0 }).toEqual({
      id,
      replicates: !id.startsWith('generic-active-active'),
    });
  });
});
