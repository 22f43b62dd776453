/*
 * Where kube-apiserver's behaviour is easy to get subtly wrong and strict
 * clients notice: boolean parameters, resourceVersion parsing, consistent
 * paged lists, the scale selector, events.k8s.io/v1 and Node nodeInfo.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RunningSimulator } from '../simulator';
import { startTestSimulator } from '../testing/testWorld';
import { upstreamSchemasDir } from '../testing/upstreamSchemas';

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
  p: string,
  body?: unknown,
  contentType = 'application/json',
) {
  const res = await fetch(`${base}${p}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'Content-Type': contentType } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

const json = async (method: string, p: string, body?: unknown, ct?: string) => {
  const r = await call(method, p, body, ct);
  return { status: r.status, body: r.text ? JSON.parse(r.text) : undefined };
};

/** The first line of a watch, then the stream is dropped. */
async function firstWatchLine(p: string): Promise<any> {
  const ac = new AbortController();
  const res = await fetch(`${base}${p}`, {
    headers: { Authorization: `Bearer ${token}` },
    signal: ac.signal,
  });
  const reader = res.body!.getReader();
  let buf = '';
  while (!buf.includes('\n')) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += new TextDecoder().decode(value);
  }
  ac.abort();
  return { status: res.status, event: JSON.parse(buf.split('\n')[0]) };
}

const STS = '/apis/apps/v1/namespaces/databases/statefulsets';

const UPSTREAM_V1 = path.join(
  upstreamSchemasDir(),
  'kubernetes',
  '1.35',
  'api',
  'v1.json',
);

/** The required list of NodeSystemInfo in the upstream v1.35 OpenAPI. */
function nodeSystemInfoRequired(): string[] {
  if (!fs.existsSync(UPSTREAM_V1)) {
    // Without the upstream documents at hand: the v1.35 list, as of writing.
    return [
      'machineID',
      'systemUUID',
      'bootID',
      'kernelVersion',
      'osImage',
      'containerRuntimeVersion',
      'kubeletVersion',
      'kubeProxyVersion',
      'operatingSystem',
      'architecture',
    ];
  }
  const spec = JSON.parse(fs.readFileSync(UPSTREAM_V1, 'utf8'));
  return spec.components.schemas['io.k8s.api.core.v1.NodeSystemInfo'].required;
}

describe('boolean query parameters', () => {
  it.each(['1', 't', 'T', 'TRUE', 'true', 'True'])(
    'watch=%s opens a watch',
    async v => {
      const { status, event } = await firstWatchLine(`${STS}?watch=${v}`);
      expect(status).toBe(200);
      expect(event).toMatchObject({
        type: 'ADDED',
        object: { kind: 'StatefulSet' },
      });
    },
  );

  it.each(['0', 'f', 'F', 'FALSE', 'false', 'False'])(
    'watch=%s lists',
    async v => {
      const r = await json('GET', `${STS}?watch=${v}`);
      expect(r.body.kind).toBe('StatefulSetList');
    },
  );

  it.each(['yes', 'on', 'tRuE'])('watch=%s is a 400 Status', async v => {
    const r = await json('GET', `${STS}?watch=${v}`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
    expect(r.body.message).toContain(`parsing "${v}"`);
  });

  it('force=True takes fields over on apply, force=nope is refused', async () => {
    const cm = (v: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'forced', namespace: 'databases' },
      data: { k: v },
    });
    const p = '/api/v1/namespaces/databases/configmaps/forced';
    const ct = 'application/apply-patch+yaml';
    expect(
      (await call('PATCH', `${p}?fieldManager=a`, cm('a'), ct)).status,
    ).toBe(201);
    expect(
      (await call('PATCH', `${p}?fieldManager=b`, cm('b'), ct)).status,
    ).toBe(409);
    expect(
      (await call('PATCH', `${p}?fieldManager=b&force=nope`, cm('b'), ct))
        .status,
    ).toBe(400);
    const forced = await json(
      'PATCH',
      `${p}?fieldManager=b&force=True`,
      cm('b'),
      ct,
    );
    expect(forced.status).toBe(200);
    expect(forced.body.data.k).toBe('b');
  });
});

describe('resourceVersion', () => {
  it('an unparsable one is a 400 on watch and list', async () => {
    for (const q of ['watch=true&resourceVersion=abc', 'resourceVersion=abc']) {
      const r = await json('GET', `${STS}?${q}`);
      expect(r.status).toBe(400);
      expect(r.body.message).toContain('invalid resource version');
    }
  });

  it('a watch from before the history is one ERROR event with a 410', async () => {
    const rv = (await json('GET', STS)).body.metadata.resourceVersion;
    await json('POST', '/api/v1/namespaces/databases/configmaps', {
      metadata: { name: 'after-rv' },
    });
    sim.admin.compact('eu-central');
    const { status, event } = await firstWatchLine(
      `${STS}?watch=1&resourceVersion=${rv}`,
    );
    expect(status).toBe(200);
    expect(event).toMatchObject({
      type: 'ERROR',
      object: { kind: 'Status', code: 410, reason: 'Expired' },
    });
  });
});

describe('paged lists', () => {
  const CMS = '/api/v1/namespaces/paged/configmaps';

  beforeAll(async () => {
    await json('POST', '/api/v1/namespaces', { metadata: { name: 'paged' } });
    for (const n of ['a', 'b', 'c', 'd'])
      await json('POST', CMS, { metadata: { name: n }, data: { v: '1' } });
  });

  it('reads every page at the first page’s resourceVersion', async () => {
    const first = await json('GET', `${CMS}?limit=2`);
    expect(first.body.items.map((o: any) => o.metadata.name)).toEqual([
      'a',
      'b',
    ]);
    expect(first.body.metadata.remainingItemCount).toBe(2);
    // Changes between pages: one object gone, one added, one modified.
    await json('DELETE', `${CMS}/c`);
    await json('POST', CMS, { metadata: { name: 'bb' } });
    await json(
      'PATCH',
      `${CMS}/d`,
      { data: { v: '2' } },
      'application/merge-patch+json',
    );
    const second = await json(
      'GET',
      `${CMS}?limit=2&continue=${encodeURIComponent(
        first.body.metadata.continue,
      )}`,
    );
    expect(second.body.items.map((o: any) => o.metadata.name)).toEqual([
      'c',
      'd',
    ]);
    expect(second.body.items[1].data.v).toBe('1');
    expect(second.body.metadata.resourceVersion).toBe(
      first.body.metadata.resourceVersion,
    );
    expect(second.body.metadata.continue).toBeUndefined();
    // A fresh list sees the changes.
    const fresh = await json('GET', CMS);
    expect(fresh.body.items.map((o: any) => o.metadata.name)).toEqual([
      'a',
      'b',
      'bb',
      'd',
    ]);
  });

  it('answers 410 Expired for a token whose snapshot is gone, 400 for garbage', async () => {
    const first = await json('GET', `${CMS}?limit=1`);
    const cont = first.body.metadata.continue;
    const q = (t: string) => `${CMS}?limit=1&continue=${encodeURIComponent(t)}`;
    // The last page releases the snapshot, as etcd compaction would.
    let next: string | undefined = cont;
    while (next) next = (await json('GET', q(next))).body.metadata.continue;
    const expired = await json('GET', q(cont));
    // Nor does a token that names a snapshot never taken.
    const forged = Buffer.from(
      JSON.stringify({ id: 'nope', rv: '1', start: '/a' }),
    ).toString('base64url');
    const gone = await json('GET', q(forged));
    expect(gone.status).toBe(410);
    expect(gone.body).toMatchObject({ kind: 'Status', reason: 'Expired' });
    expect(expired.status).toBe(410);
    expect((await json('GET', q('%%%'))).status).toBe(400);
  });
});

describe('the scale subresource', () => {
  it('carries the serialized label selector in status.selector', async () => {
    const r = await json('GET', `${STS}/orders-db/scale`);
    expect(r.body).toMatchObject({
      kind: 'Scale',
      status: { selector: 'app=orders-db' },
    });
  });
});

describe('events.k8s.io/v1', () => {
  const EV = '/apis/events.k8s.io/v1/namespaces/databases/events';
  const event = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'orders-db.test' },
    eventTime: '2026-01-02T03:04:05.123456Z',
    action: 'Testing',
    reason: 'Fidelity',
    note: 'through the new API',
    type: 'Warning',
    reportingController: 'example.com/test',
    reportingInstance: 'test-1',
    regarding: {
      kind: 'StatefulSet',
      name: 'orders-db',
      namespace: 'databases',
    },
  };

  it('is discovered with the verbs it answers', async () => {
    const r = await json('GET', '/apis/events.k8s.io/v1');
    expect(r.body.resources).toContainEqual(
      expect.objectContaining({
        name: 'events',
        kind: 'Event',
        namespaced: true,
        verbs: ['create', 'get', 'list', 'watch'],
      }),
    );
  });

  it('creates, gets and lists under its own field names; core v1 sees the same Event', async () => {
    expect((await json('POST', EV, event)).status).toBe(201);
    const got = await json('GET', `${EV}/orders-db.test`);
    expect(got.body).toMatchObject({
      ...event,
      metadata: { name: 'orders-db.test', namespace: 'databases' },
    });
    const list = await json('GET', EV);
    expect(list.body.kind).toBe('EventList');
    expect(list.body.apiVersion).toBe('events.k8s.io/v1');
    const core = await json(
      'GET',
      '/api/v1/namespaces/databases/events/orders-db.test',
    );
    expect(core.body).toMatchObject({
      apiVersion: 'v1',
      message: 'through the new API',
      involvedObject: { name: 'orders-db' },
      reportingComponent: 'example.com/test',
    });
  });

  it('serves core Events recorded by controllers with an eventTime', async () => {
    await json('POST', '/api/v1/namespaces/databases/events', {
      metadata: { name: 'old-style' },
      involvedObject: { kind: 'Pod', name: 'p' },
      reason: 'Old',
      message: 'recorded the core way',
      firstTimestamp: '2026-01-02T03:04:05Z',
      source: { component: 'kubelet' },
    });
    const got = await json('GET', `${EV}/old-style`);
    expect(got.body).toMatchObject({
      eventTime: '2026-01-02T03:04:05.000000Z',
      note: 'recorded the core way',
      regarding: { name: 'p' },
      reportingController: 'kubelet',
      deprecatedFirstTimestamp: '2026-01-02T03:04:05Z',
    });
  });

  it('watches as events.k8s.io/v1', async () => {
    const { event: first } = await firstWatchLine(`${EV}?watch=true`);
    expect(first.object.apiVersion).toBe('events.k8s.io/v1');
    expect(first.object.note).toBeDefined();
  });

  it('refuses an Event missing what upstream requires, and says which', async () => {
    const incomplete: Record<string, unknown> = {
      ...event,
      metadata: { name: 'incomplete' },
    };
    delete incomplete.eventTime;
    delete incomplete.reportingController;
    const r = await json('POST', EV, incomplete);
    expect(r.status).toBe(422);
    expect(r.body.message).toContain('eventTime: Required value');
    expect(r.body.message).toContain('reportingController: Required value');
  });

  it('refuses writes other than create, naming the API to use', async () => {
    const r = await json(
      'PATCH',
      `${EV}/orders-db.test`,
      { note: 'x' },
      'application/merge-patch+json',
    );
    expect(r.status).toBe(405);
    expect(r.body.message).toContain('through v1 events');
  });
});

describe('Nodes', () => {
  it('carry every nodeInfo field the v1.35 API marks required', async () => {
    const required = nodeSystemInfoRequired();
    expect(required).toContain('machineID');
    const nodes = await json('GET', '/api/v1/nodes');
    expect(nodes.body.items.length).toBeGreaterThan(0);
    for (const n of nodes.body.items)
      for (const f of required) expect(n.status.nodeInfo[f]).toBeTruthy();
    const ids = nodes.body.items.map((n: any) => n.status.nodeInfo.bootID);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
