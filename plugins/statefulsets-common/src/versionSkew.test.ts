import { bitnamiStatefulSet } from './__fixtures__/bitnami';
import { buildWorkloads } from './buildWorkloads';
import { emptyClusterObjects, KubeObject } from './kube';
import { TopologyCluster } from './types';
import { versionSkewCheck } from './versionSkew';

function cluster(name: string, ...statefulSets: KubeObject[]): TopologyCluster {
  const objects = emptyClusterObjects();
  objects.statefulSets.push(...statefulSets);
  return {
    name,
    zones: [],
    reachable: true,
    stale: false,
    role: 'unknown',
    workloads: buildWorkloads(objects),
  };
}

const mysql = (component: string, image: string) =>
  bitnamiStatefulSet({ chart: 'mysql', component, image });

function skew(primaryImage: string, replicaImage: string) {
  return versionSkewCheck([
    cluster('eu-west', mysql('primary', primaryImage)),
    cluster('eu-central', mysql('secondary', replicaImage)),
  ]);
}

describe('versionSkewCheck', () => {
  it('passes when the replica runs its primary version, naming both sides', () => {
    expect(skew('bitnami/mysql:8.4.2', 'bitnami/mysql:8.4.2')).toEqual({
      id: 'engine-version',
      title: 'Replicas run an engine version their primary can fail over to',
      status: 'pass',
      evidence:
        'replica eu-central/orders-mysql-secondary runs mysql 8.4.2, its primary eu-west/orders-mysql-primary 8.4.2',
    });
  });

  it('fails on a replica older than its primary', () => {
    const check = skew(
      'bitnami/mysql:8.4.2-debian-12-r0',
      'bitnami/mysql:8.0.36-debian-12-r1',
    );
    expect(check?.status).toBe('fail');
    expect(check?.evidence).toContain(
      'replica eu-central/orders-mysql-secondary runs mysql 8.0.36-debian-12-r1, its primary eu-west/orders-mysql-primary 8.4.2-debian-12-r0: the replica is older than its primary',
    );
  });

  it('fails on a major-version gap', () => {
    const check = versionSkewCheck([
      cluster(
        'a',
        bitnamiStatefulSet({
          chart: 'postgresql',
          component: 'primary',
          image: 'postgres:16.3',
        }),
      ),
      cluster(
        'b',
        bitnamiStatefulSet({
          chart: 'postgresql',
          component: 'read',
          image: 'postgres:17.1',
        }),
      ),
    ]);
    expect(check?.status).toBe('fail');
    expect(check?.evidence).toContain('major versions 17 and 16 differ');
  });

  it('warns on a replica with a newer minor version', () => {
    const check = skew('mysql:8.0.36', 'mysql:8.4.2');
    expect(check?.status).toBe('warn');
    expect(check?.evidence).toContain('the replica is newer');
  });

  it('warns with the reason when a tag names no version', () => {
    const check = skew('mysql:8.4.2', 'mysql:latest');
    expect(check?.status).toBe('warn');
    expect(check?.evidence).toBe(
      'replica eu-central/orders-mysql-secondary: tag "latest" of mysql:latest names no version (pin a version tag such as 8.4.2)',
    );
  });

  it('keeps a failure over a warning and compares only one engine', () => {
    const check = versionSkewCheck([
      cluster('a', mysql('primary', 'mysql:8.4.2')),
      cluster(
        'b',
        mysql('secondary', 'mysql:8.0.1'),
        bitnamiStatefulSet({
          chart: 'postgresql',
          component: 'read',
          image: 'postgres:10',
        }),
      ),
      cluster('c', mysql('secondary', 'mysql:8.4.3')),
    ]);
    expect(check?.status).toBe('fail');
    expect(check?.evidence.split('; ')).toHaveLength(2);
    expect(check?.evidence).not.toContain('postgres');
  });

  it('is absent without a primary and a replica side', () => {
    expect(
      versionSkewCheck([
        cluster('a', mysql('primary', 'mysql:8.4.2')),
        cluster(
          'b',
          bitnamiStatefulSet({ chart: 'mongodb', component: 'mongodb' }),
        ),
      ]),
    ).toBeUndefined();
  });
});
