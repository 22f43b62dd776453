import type { RunningSimulator } from '../simulator';
import { eventually, startTestSimulator } from '../testing/testWorld';

jest.setTimeout(30000);

let sim: RunningSimulator;
let base: string;
let token: string;

beforeAll(async () => {
  sim = await startTestSimulator();
  base = sim.clusters[0].url;
  token = sim.clusters[0].token;
});

afterAll(() => sim.stop());

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? JSON.parse(text) : undefined,
  };
}

const cm = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels: { app: 'api-test' } },
  data: { k: 'v' },
  ...extra,
});

describe('the REST layer', () => {
  it('answers 401 without or with a wrong token, as a Status', async () => {
    const none = await fetch(`${base}/api/v1/pods`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({
      kind: 'Status',
      reason: 'Unauthorized',
      code: 401,
    });
    const wrong = await fetch(`${base}/api/v1/pods`, {
      headers: { Authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${base}/version`)).status).toBe(200);
  });

  it('serves discovery for core, groups and CRD kinds', async () => {
    const groups = await call('GET', '/apis');
    expect(groups.body.groups.map((g: any) => g.name)).toEqual(
      expect.arrayContaining(['apps', 'batch', 'apiextensions.k8s.io']),
    );
    const apps = await call('GET', '/apis/apps/v1');
    const names = apps.body.resources.map((r: any) => r.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'statefulsets',
        'statefulsets/status',
        'statefulsets/scale',
      ]),
    );
    const v3 = await call('GET', '/openapi/v3');
    expect(v3.body.paths['apis/apps/v1'].serverRelativeURL).toMatch(
      /^\/openapi\/v3\/apis\/apps\/v1\?hash=/,
    );
    const doc = await call(
      'GET',
      v3.body.paths['apis/apps/v1'].serverRelativeURL,
    );
    const patch =
      doc.body.paths['/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}']
        .patch;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({
      group: 'apps',
      version: 'v1',
      kind: 'StatefulSet',
    });
    expect(patch.parameters.map((p: any) => p.name)).toContain(
      'fieldValidation',
    );
  });

  it('creates, conflicts on stale resourceVersions, and bumps generation only on spec changes', async () => {
    const created = await call(
      'POST',
      '/api/v1/namespaces/databases/configmaps',
      cm('a'),
    );
    expect(created.status).toBe(201);
    const rv = created.body.metadata.resourceVersion;
    const dup = await call(
      'POST',
      '/api/v1/namespaces/databases/configmaps',
      cm('a'),
    );
    expect(dup.body).toMatchObject({ reason: 'AlreadyExists', code: 409 });
    const updated = await call(
      'PUT',
      '/api/v1/namespaces/databases/configmaps/a',
      { ...created.body, data: { k: 'w' } },
    );
    expect(updated.status).toBe(200);
    const stale = await call(
      'PUT',
      '/api/v1/namespaces/databases/configmaps/a',
      {
        ...created.body,
        metadata: { ...created.body.metadata, resourceVersion: rv },
      },
    );
    expect(stale.status).toBe(409);
    expect(stale.body.reason).toBe('Conflict');
    const sts = await call(
      'GET',
      '/apis/apps/v1/namespaces/databases/statefulsets/orders-db',
    );
    const labelled = await call(
      'PATCH',
      '/apis/apps/v1/namespaces/databases/statefulsets/orders-db',
      { metadata: { labels: { extra: 'x' } } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    expect(labelled.body.metadata.generation).toBe(
      sts.body.metadata.generation,
    );
    const scaled = await call(
      'PATCH',
      '/apis/apps/v1/namespaces/databases/statefulsets/orders-db',
      { spec: { replicas: 3 } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    expect(scaled.body.metadata.generation).toBe(
      sts.body.metadata.generation + 1,
    );
  });

  it('answers 422 with causes, 400 for strict unknown fields, 415 for strategic patches of CRs', async () => {
    const bad = await call(
      'POST',
      '/apis/apps/v1/namespaces/databases/statefulsets',
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'Bad_Name' },
        spec: {
          selector: { matchLabels: { a: 'b' } },
          template: {
            metadata: { labels: { a: 'c' } },
            spec: { containers: [{ name: 'x' }] },
          },
        },
      },
    );
    expect(bad.status).toBe(422);
    expect(bad.body.reason).toBe('Invalid');
    expect(bad.body.details.causes.map((c: any) => c.field)).toEqual(
      expect.arrayContaining([
        'metadata.name',
        'spec.template.metadata.labels',
        'spec.template.spec.containers[0].image',
      ]),
    );
    const strict = await call(
      'POST',
      '/api/v1/namespaces/databases/configmaps?fieldValidation=Strict',
      cm('s', { dta: {} }),
    );
    expect(strict.status).toBe(400);
    expect(strict.body.message).toContain('unknown field "dta"');
    const warned = await call(
      'POST',
      '/api/v1/namespaces/databases/configmaps',
      cm('w', { dta: {} }),
    );
    expect(warned.status).toBe(201);
    expect(warned.headers.get('warning')).toContain('unknown field \\"dta\\"');
    const crd = await call(
      'POST',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'widgets.example.com' },
        spec: {
          group: 'example.com',
          scope: 'Namespaced',
          names: { kind: 'Widget', plural: 'widgets' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: 'object',
                  properties: {
                    spec: {
                      type: 'object',
                      required: ['size'],
                      properties: { size: { type: 'integer' } },
                    },
                  },
                },
              },
            },
          ],
        },
      },
    );
    expect(crd.status).toBe(201);
    const widget = (spec: unknown) => ({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
      spec,
    });
    const invalid = await call(
      'POST',
      '/apis/example.com/v1/namespaces/databases/widgets',
      widget({ size: 'big' }),
    );
    expect(invalid.status).toBe(422);
    expect(invalid.body.details.causes[0].field).toBe('spec.size');
    const pruned = await call(
      'POST',
      '/apis/example.com/v1/namespaces/databases/widgets',
      widget({ size: 2, extra: true }),
    );
    expect(pruned.status).toBe(201);
    expect(pruned.body.spec).toEqual({ size: 2 });
    const unconditional = await call(
      'PUT',
      '/apis/example.com/v1/namespaces/databases/widgets/w',
      widget({ size: 3 }),
    );
    expect(unconditional.status).toBe(422);
    expect(unconditional.body.details.causes[0].field).toBe(
      'metadata.resourceVersion',
    );
    const r = await call(
      'PATCH',
      '/apis/example.com/v1/namespaces/databases/widgets/w',
      {},
      { 'Content-Type': 'application/strategic-merge-patch+json' },
    );
    expect(r.status).toBe(415);
  });

  it('lists with label and field selectors, limit and continue', async () => {
    for (const n of ['l1', 'l2', 'l3'])
      await call(
        'POST',
        '/api/v1/namespaces/databases/configmaps',
        cm(n, { metadata: { name: n, labels: { app: 'paged', n } } }),
      );
    const sel = await call(
      'GET',
      '/api/v1/configmaps?labelSelector=app%3Dpaged,n%20notin%20(l2)',
    );
    expect(sel.body.items.map((i: any) => i.metadata.name)).toEqual([
      'l1',
      'l3',
    ]);
    const field = await call(
      'GET',
      '/api/v1/namespaces/databases/configmaps?fieldSelector=metadata.name%3Dl2',
    );
    expect(field.body.items.map((i: any) => i.metadata.name)).toEqual(['l2']);
    const page1 = await call(
      'GET',
      '/api/v1/namespaces/databases/configmaps?labelSelector=app%3Dpaged&limit=2',
    );
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.metadata.remainingItemCount).toBe(1);
    const page2 = await call(
      'GET',
      `/api/v1/namespaces/databases/configmaps?labelSelector=app%3Dpaged&limit=2&continue=${encodeURIComponent(
        page1.body.metadata.continue,
      )}`,
    );
    expect(page2.body.items.map((i: any) => i.metadata.name)).toEqual(['l3']);
    expect(page2.body.metadata.continue).toBeUndefined();
    const badField = await call(
      'GET',
      '/api/v1/configmaps?fieldSelector=spec.x%3D1',
    );
    expect(badField.status).toBe(400);
  });

  it('leaves nothing behind on dryRun=All and needs a fieldManager for apply', async () => {
    const dry = await call(
      'POST',
      '/api/v1/namespaces/databases/configmaps?dryRun=All',
      cm('dry'),
    );
    expect(dry.status).toBe(201);
    expect(
      (await call('GET', '/api/v1/namespaces/databases/configmaps/dry')).status,
    ).toBe(404);
    const noManager = await call(
      'PATCH',
      '/api/v1/namespaces/databases/configmaps/applied',
      cm('applied'),
      { 'Content-Type': 'application/apply-patch+yaml' },
    );
    expect(noManager.status).toBe(422);
    const applied = await call(
      'PATCH',
      '/api/v1/namespaces/databases/configmaps/applied?fieldManager=tester',
      cm('applied'),
      { 'Content-Type': 'application/apply-patch+yaml' },
    );
    expect(applied.status).toBe(201);
    expect(applied.body.metadata.managedFields[0]).toMatchObject({
      manager: 'tester',
      operation: 'Apply',
    });
    const other = await call(
      'PATCH',
      '/api/v1/namespaces/databases/configmaps/applied?fieldManager=other',
      cm('applied', { data: { k: 'x' } }),
      { 'Content-Type': 'application/apply-patch+yaml' },
    );
    expect(other.status).toBe(409);
    const forced = await call(
      'PATCH',
      '/api/v1/namespaces/databases/configmaps/applied?fieldManager=other&force=true',
      cm('applied', { data: { k: 'x' } }),
      { 'Content-Type': 'application/apply-patch+yaml' },
    );
    expect(forced.body.data.k).toBe('x');
    const ssa = (data: Record<string, string>) =>
      call(
        'PATCH',
        '/api/v1/namespaces/databases/configmaps/ssa?fieldManager=mine',
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'ssa' },
          data,
        },
        { 'Content-Type': 'application/apply-patch+yaml' },
      );
    await ssa({ a: '1', b: '2' });
    const dropped = await ssa({ a: '1' });
    expect(dropped.body.data).toEqual({ a: '1' });
  });

  it('renders Tables when asked', async () => {
    const t = await call(
      'GET',
      '/apis/apps/v1/namespaces/databases/statefulsets',
      undefined,
      {
        Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
      },
    );
    expect(t.body.kind).toBe('Table');
    expect(t.body.rows[0].cells[0]).toBe('orders-db');
  });

  it('watches from a resourceVersion and answers 410 Gone once compacted', async () => {
    const list = await call('GET', '/api/v1/namespaces/databases/configmaps');
    const rv = list.body.metadata.resourceVersion;
    const ac = new AbortController();
    const res = await fetch(
      `${base}/api/v1/namespaces/databases/configmaps?watch=true&resourceVersion=${rv}`,
      {
        headers: { Authorization: `Bearer ${token}` },
        signal: ac.signal,
      },
    );
    const reader = res.body!.getReader();
    await call(
      'POST',
      '/api/v1/namespaces/databases/configmaps',
      cm('watched'),
    );
    let buf = '';
    await eventually(async () => {
      const { value } = await reader.read();
      buf += new TextDecoder().decode(value);
      return buf.includes('"watched"');
    });
    expect(JSON.parse(buf.split('\n')[0])).toMatchObject({
      type: 'ADDED',
      object: { metadata: { name: 'watched' } },
    });
    ac.abort();
    sim.admin.compact('eu-central');
    const gone = await fetch(
      `${base}/api/v1/namespaces/databases/configmaps?watch=true&resourceVersion=${rv}`,
      {
        headers: { Authorization: `Bearer ${token}` },
      },
    );
    const text = await gone.text();
    expect(JSON.parse(text.trim())).toMatchObject({
      type: 'ERROR',
      object: { kind: 'Status', code: 410, reason: 'Expired' },
    });
  });

  it('runs StatefulSets: ordinal pods, claims, status, lag annotations and metrics', async () => {
    const west = sim.clusters[1];
    const get = async (path: string) =>
      (
        await fetch(`${west.url}${path}`, {
          headers: { Authorization: `Bearer ${west.token}` },
        })
      ).json();
    const pods = await eventually(async () => {
      const l = await get('/api/v1/namespaces/databases/pods');
      return l.items.length === 2 &&
        l.items.every((p: any) => p.status.phase === 'Running')
        ? l.items
        : undefined;
    });
    expect(pods.map((p: any) => p.metadata.name)).toEqual([
      'orders-db-10',
      'orders-db-11',
    ]);
    expect(
      pods.map(
        (p: any) => p.metadata.labels['multicluster-statefulsets/pod-role'],
      ),
    ).toEqual(['replica', 'replica']);
    const claims = await get(
      '/api/v1/namespaces/databases/persistentvolumeclaims',
    );
    expect(
      claims.items.map((c: any) => [
        c.metadata.name,
        c.status.phase,
        c.status.capacity.storage,
      ]),
    ).toEqual([
      ['data-orders-db-10', 'Bound', '10Gi'],
      ['data-orders-db-11', 'Bound', '10Gi'],
    ]);
    const sts = await eventually(async () => {
      const s = await get(
        '/apis/apps/v1/namespaces/databases/statefulsets/orders-db',
      );
      return s.status?.readyReplicas === 2 &&
        s.metadata.annotations[
          'multicluster-statefulsets/replication-lag-seconds'
        ]
        ? s
        : undefined;
    });
    expect(sts.status).toMatchObject({
      replicas: 2,
      availableReplicas: 2,
      updatedReplicas: 2,
      currentRevision: sts.status.updateRevision,
      observedGeneration: 1,
    });
    expect(
      sts.metadata.annotations[
        'multicluster-statefulsets/replication-lag-seconds'
      ],
      // The emulated MySQL's lag: linked, nothing behind.
    ).toBe('0.000');
    const metrics = await (await fetch(`${west.url}/metrics`)).text();
    expect(metrics).toMatch(
      /multicluster_replication_lag_seconds\{namespace="databases",statefulset="orders-db",source="eu-central",cluster="eu-west"\} 0\n/,
    );
    expect(metrics).toMatch(/mysql_slave_status_seconds_behind_master\{/);
  });
});

describe('the read-only token', () => {
  it('reads but answers 403 to writes', async () => {
    const ro = await startTestSimulator({
      clusters: [{ name: 'ro', region: 'r', readOnlyToken: 'viewer' }],
    });
    try {
      const url = `${ro.clusters[0].url}/api/v1/namespaces/default/configmaps`;
      const headers = {
        Authorization: 'Bearer viewer',
        'Content-Type': 'application/json',
      };
      expect((await fetch(url, { headers })).status).toBe(200);
      const write = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'x' },
        }),
      });
      expect(write.status).toBe(403);
      expect(await write.json()).toMatchObject({
        kind: 'Status',
        reason: 'Forbidden',
        code: 403,
      });
    } finally {
      await ro.stop();
    }
  });
});

describe('watch options and collections', () => {
  it('streams initial events with the end bookmark, and ends at timeoutSeconds', async () => {
    const ws = await startTestSimulator();
    try {
      const c = ws.clusters[0];
      const res = await fetch(
        `${c.url}/apis/apps/v1/namespaces/databases/statefulsets?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1`,
        { headers: { Authorization: `Bearer ${c.token}` } },
      );
      const started = Date.now();
      const lines = (await res.text())
        .trim()
        .split('\n')
        .map(l => JSON.parse(l));
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(lines[0]).toMatchObject({
        type: 'ADDED',
        object: { metadata: { name: 'orders-db' } },
      });
      expect(lines[1]).toMatchObject({
        type: 'BOOKMARK',
        object: {
          kind: 'StatefulSet',
          metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } },
        },
      });
    } finally {
      await ws.stop();
    }
  });

  it('deletes collections by label selector', async () => {
    const ws = await startTestSimulator();
    try {
      const c = ws.clusters[0];
      const headers = {
        Authorization: `Bearer ${c.token}`,
        'Content-Type': 'application/json',
      };
      for (const [name, app] of [
        ['d1', 'x'],
        ['d2', 'x'],
        ['d3', 'y'],
      ]) {
        await fetch(`${c.url}/api/v1/namespaces/databases/configmaps`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name, labels: { app } },
          }),
        });
      }
      const del = await fetch(
        `${c.url}/api/v1/namespaces/databases/configmaps?labelSelector=app%3Dx`,
        {
          method: 'DELETE',
          headers,
        },
      );
      expect(del.status).toBe(200);
      expect((await del.json()).items.map((i: any) => i.metadata.name)).toEqual(
        ['d1', 'd2'],
      );
      const left = await (
        await fetch(`${c.url}/api/v1/namespaces/databases/configmaps`, {
          headers,
        })
      ).json();
      expect(left.items.map((i: any) => i.metadata.name)).toEqual(['d3']);
    } finally {
      await ws.stop();
    }
  });
});
