/*
 * A StatefulSet whose pod template the API server would refuse: the
 * StatefulSet is stored, but no pod is, and the controller says why in a
 * FailedCreate event, as kube-controller-manager does. A Pod posted
 * directly with the same fault is answered 422.
 */
import type { RunningSimulator } from '../../simulator';
import {
  eventually,
  startTestSimulator,
  statefulSet,
} from '../../testing/testWorld';

jest.setTimeout(30000);

let sim: RunningSimulator;

const badPorts = [{ name: 'tcp-elasticsearch', containerPort: 9200 }];

beforeAll(async () => {
  sim = await startTestSimulator({
    clusters: [
      {
        name: 'c1',
        region: 'r1',
        zones: ['r1-a'],
        objects: [
          {
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: { name: 'databases' },
          },
        ],
      },
    ],
  });
});

afterAll(() => sim.stop());

const store = () => sim.stores.get('c1')!;

async function call(method: string, path: string, body: unknown) {
  const c = sim.clusters[0];
  const res = await fetch(`${c.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${c.token}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** The FailedCreate event on a StatefulSet, once there is one. */
function failedCreateOf(sts: string): Promise<any> {
  return eventually(() =>
    store()
      .list('v1', 'Event', 'databases')
      .find(
        (e: any) =>
          e.involvedObject.name === sts && e.reason === 'FailedCreate',
      ),
  );
}

describe('pods the API server would refuse', () => {
  it('stores the StatefulSet, creates no pod and records FailedCreate until the template is fixed', async () => {
    const sts = statefulSet('search', { replicas: 2 });
    sts.spec.template.spec.containers[0].ports = badPorts;
    const created = await call(
      'POST',
      '/apis/apps/v1/namespaces/databases/statefulsets',
      sts,
    );
    expect(created.status).toBe(201);

    const failed: any = await failedCreateOf('search');
    expect(failed).toMatchObject({
      type: 'Warning',
      involvedObject: { kind: 'StatefulSet', name: 'search' },
      message:
        'create Pod search-0 in StatefulSet search failed error: Pod "search-0" is invalid: spec.containers[0].ports[0].name: Invalid value: "tcp-elasticsearch": must be no more than 15 characters',
    });
    // A few rounds later there is still no pod, and one event, not many.
    await new Promise(r => setTimeout(r, 500));
    expect(store().get('v1', 'Pod', 'databases', 'search-0')).toBeUndefined();
    expect(
      store()
        .list('v1', 'Event', 'databases')
        .filter((e: any) => e.reason === 'FailedCreate'),
    ).toHaveLength(1);
    // Claims come before the pod, as upstream, and stay.
    expect(
      store().get('v1', 'PersistentVolumeClaim', 'databases', 'data-search-0'),
    ).toBeDefined();

    const current = store().get(
      'apps/v1',
      'StatefulSet',
      'databases',
      'search',
    )!;
    current.spec.template.spec.containers[0].ports = [
      { name: 'tcp-es', containerPort: 9200 },
    ];
    const fixed = await call(
      'PUT',
      '/apis/apps/v1/namespaces/databases/statefulsets/search',
      current,
    );
    expect(fixed.status).toBe(200);
    await eventually(
      () =>
        store()
          .list('v1', 'Pod', 'databases')
          .filter(
            p =>
              p.metadata.labels?.app === 'search' &&
              p.status?.phase === 'Running',
          ).length === 2,
    );
  });

  it('lists every fault of a pod in brackets', async () => {
    const sts = statefulSet('many', { replicas: 1 });
    sts.spec.template.spec.containers[0].ports = badPorts;
    sts.spec.template.spec.containers[0].volumeMounts = [
      { name: 'missing', mountPath: '/x' },
    ];
    await call('POST', '/apis/apps/v1/namespaces/databases/statefulsets', sts);
    const failed: any = await failedCreateOf('many');
    expect(failed.message).toBe(
      'create Pod many-0 in StatefulSet many failed error: Pod "many-0" is invalid: [spec.containers[0].ports[0].name: Invalid value: "tcp-elasticsearch": must be no more than 15 characters, spec.containers[0].volumeMounts[0].name: Not found: "missing"]',
    );
  });

  it('answers a directly created invalid Pod with 422 and the same causes', async () => {
    const res = await call('POST', '/api/v1/namespaces/databases/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'direct' },
      spec: {
        containers: [{ name: 'es', image: 'elasticsearch:9', ports: badPorts }],
      },
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      kind: 'Status',
      reason: 'Invalid',
      code: 422,
      message:
        'Pod "direct" is invalid: spec.containers[0].ports[0].name: Invalid value: "tcp-elasticsearch": must be no more than 15 characters',
      details: {
        name: 'direct',
        kind: 'Pod',
        causes: [
          {
            field: 'spec.containers[0].ports[0].name',
            reason: 'FieldValueInvalid',
            message:
              'Invalid value: "tcp-elasticsearch": must be no more than 15 characters',
          },
        ],
      },
    });
    expect(store().get('v1', 'Pod', 'databases', 'direct')).toBeUndefined();
  });

  it('refuses a StatefulSet whose pods would not restart Always', async () => {
    const sts = statefulSet('once', { replicas: 1 });
    sts.spec.template.spec.restartPolicy = 'OnFailure';
    const res = await call(
      'POST',
      '/apis/apps/v1/namespaces/databases/statefulsets',
      sts,
    );
    expect(res.status).toBe(422);
    expect(res.body.message).toBe(
      'StatefulSet.apps "once" is invalid: spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
    );
  });
});
