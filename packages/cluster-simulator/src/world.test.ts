import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ClusterStore } from './store/ClusterStore';
import { seedObjects } from './store/seed';
import { WorldError, loadWorld, operatorCrdsOf, validateWorld } from './world';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sim-world-'));
}

describe('world files', () => {
  it('fills defaults for zones and tokens and reads object files relative to the world', () => {
    const dir = tmpDir();
    fs.writeFileSync(
      path.join(dir, 'objs.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: databases}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n',
    );
    fs.writeFileSync(
      path.join(dir, 'world.yaml'),
      'readinessDelayMs: 10\nclusters:\n  - name: eu-west\n    region: eu-west-1\n    files: [objs.yaml]\n',
    );
    const w = loadWorld(path.join(dir, 'world.yaml'));
    expect(w.readinessDelayMs).toBe(10);
    expect(w.clusters[0].zones).toEqual(['eu-west-1a', 'eu-west-1b']);
    expect(w.clusters[0].token).toBe('demo-token-eu-west');
    expect(w.clusters[0].objects.map(o => o.object.metadata.name)).toEqual([
      'a',
      'b',
    ]);
    expect(w.clusters[0].objects[0].source).toBe(path.join(dir, 'objs.yaml'));
  });

  it('installs only the operators a cluster lists, and refuses unknown ones', () => {
    const w = validateWorld({
      clusters: [
        { name: 'a', region: 'r', operators: ['eck'] },
        { name: 'b', region: 'r' },
      ],
    });
    expect(w.clusters[0].operators).toEqual(['eck']);
    expect(w.clusters[1].operators).toBeUndefined();
    expect(operatorCrdsOf(w.clusters[1])).toEqual([]);
    for (const crd of operatorCrdsOf(w.clusters[0])) {
      expect(crd.object.kind).toBe('CustomResourceDefinition');
      expect(crd.object.metadata.name).toMatch(/\.elastic\.co$/);
    }
    expect(() =>
      validateWorld({
        clusters: [{ name: 'a', region: 'r', operators: ['rabbitmq'] }],
      }),
    ).toThrow(/operators: no operator "rabbitmq"; known: strimzi, eck/);
  });

  it.each([
    [
      { clusters: [{ name: 'a', region: 'r', colour: 'red' }] },
      /clusters\[0\] \(a\): unknown field "colour"/,
    ],
    [{ clusters: [], extra: 1 }, /unknown field "extra"/],
    [{ clusters: [] }, /non-empty list/],
    [{ clusters: [{ name: 'a' }] }, /region is required/],
    [{ clusters: [{ name: 'A_b', region: 'r' }] }, /DNS label/],
    [
      {
        clusters: [
          { name: 'a', region: 'r' },
          { name: 'a', region: 'r' },
        ],
      },
      /duplicate/,
    ],
    [
      { clusters: [{ name: 'a', region: 'r', federationHost: 'istio' }] },
      /federationHost/,
    ],
    [
      {
        clusters: [
          { name: 'a', region: 'r', federationHost: 'karmada' },
          { name: 'b', region: 'r', federationHost: 'karmada' },
        ],
      },
      /a, b all host karmada/,
    ],
    [
      { clusters: [{ name: 'a', region: 'r', labels: ['tier'] }] },
      /labels must be a mapping/,
    ],
    [
      { clusters: [{ name: 'a', region: 'r', labels: { 'bad key!': 'x' } }] },
      /"bad key!" is not a valid label key/,
    ],
    [
      { clusters: [{ name: 'a', region: 'r', labels: { tier: 3 } }] },
      /labels.tier: must be a valid label value/,
    ],
    [
      { clusters: [{ name: 'a', region: 'r', faults: { slow: true } }] },
      /unknown fault "slow"/,
    ],
    [
      {
        clusters: [
          {
            name: 'a',
            region: 'r',
            objects: [{ kind: 'ConfigMap', metadata: { name: 'x' } }],
          },
        ],
      },
      /objects\[0\] ConfigMap x: apiVersion is missing/,
    ],
    [
      { clusters: [{ name: 'a', region: 'r', replication: { lag: 1 } }] },
      /replication: unknown field "lag"/,
    ],
  ])('rejects %j', (raw, message) => {
    expect(() => validateWorld(raw, 'w.yaml')).toThrow(WorldError);
    expect(() => validateWorld(raw, 'w.yaml')).toThrow(message);
  });

  it('names the file, the object and the reason for an invalid object', () => {
    const w = validateWorld(
      {
        clusters: [
          {
            name: 'a',
            region: 'r',
            objects: [
              {
                apiVersion: 'apps/v1',
                kind: 'StatefulSet',
                metadata: { name: 'db', namespace: 'databases' },
                spec: {
                  selector: { matchLabels: { app: 'x' } },
                  template: {
                    metadata: { labels: { app: 'y' } },
                    spec: { containers: [{ name: 'c', image: 'i' }] },
                  },
                },
              },
              {
                apiVersion: 'v1',
                kind: 'ConfigMap',
                metadata: { name: 'c' },
                dta: {},
              },
              {
                apiVersion: 'example.com/v1',
                kind: 'Widget',
                metadata: { name: 'w' },
              },
            ],
          },
        ],
      },
      'world.yaml',
    );
    const store = () => new ClusterStore({ name: 'a', region: 'r', zones: [] });
    expect(() => seedObjects(store(), [w.clusters[0].objects[0]])).toThrow(
      /world.yaml: clusters\[0\] \(a\): objects\[0\]: StatefulSet databases\/db: spec.template.metadata.labels: .*selector/,
    );
    expect(() => seedObjects(store(), [w.clusters[0].objects[1]])).toThrow(
      /ConfigMap default\/c|ConfigMap c: unknown field "dta"/,
    );
    expect(() => seedObjects(store(), [w.clusters[0].objects[2]])).toThrow(
      /no kind "Widget"/,
    );
  });
});
