import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulator } from '../simulator';
import { eventually, twoClusterWorld } from '../testing/testWorld';

jest.setTimeout(30000);

describe('--state-dir', () => {
  it('saves each cluster and reloads it instead of the world objects', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-state-'));
    const opts = {
      world: twoClusterWorld(),
      portBase: 0,
      adminPort: 0,
      readinessDelayMs: 10,
      tickMs: 100,
      stateDir,
      onError: () => {},
    };
    const first = await startSimulator(opts);
    const c = first.clusters[0];
    const res = await fetch(`${c.url}/api/v1/namespaces/databases/configmaps`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${c.token}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'kept' },
        data: { a: '1' },
      }),
    });
    expect(res.status).toBe(201);
    const uid = (await res.json()).metadata.uid;
    await eventually(
      () =>
        first.stores.get('eu-central')!.list('v1', 'Pod', 'databases')
          .length === 2,
    );
    const rv = first.stores.get('eu-central')!.resourceVersion;
    await first.stop();
    expect(fs.readdirSync(stateDir).sort()).toEqual([
      'eu-central.json',
      'eu-west.json',
    ]);

    // CRDs shipped after the state was saved are served on reload too.
    const crdDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-crds-'));
    fs.writeFileSync(
      path.join(crdDir, 'widgets.yaml'),
      [
        'apiVersion: apiextensions.k8s.io/v1',
        'kind: CustomResourceDefinition',
        'metadata: {name: widgets.example.com}',
        'spec:',
        '  group: example.com',
        '  scope: Namespaced',
        '  names: {kind: Widget, plural: widgets}',
        '  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]',
        '',
      ].join('\n'),
    );
    const second = await startSimulator({ ...opts, crdDir });
    try {
      const store = second.stores.get('eu-central')!;
      expect(
        store.get('v1', 'ConfigMap', 'databases', 'kept')?.metadata.uid,
      ).toBe(uid);
      expect(store.list('v1', 'Pod', 'databases')).toHaveLength(2);
      expect(store.list('v1', 'Node')).toHaveLength(4);
      expect(store.resourceVersion).toBeGreaterThanOrEqual(rv);
      expect(
        store.registry.byPlural('example.com', 'v1', 'widgets')?.kind,
      ).toBe('Widget');
    } finally {
      await second.stop();
      fs.rmSync(stateDir, { recursive: true, force: true });
      fs.rmSync(crdDir, { recursive: true, force: true });
    }
  });
});
