import { builtinResources, resourcesFromCrd } from './resources';
import { evalJsonPath } from './jsonPath';
import { humanDuration } from './tableCells';
import { renderTable } from './tables';

const now = Date.parse('2026-01-01T12:00:00Z');
const type = (kind: string) => builtinResources().find(t => t.kind === kind)!;

describe('humanDuration', () => {
  it.each([
    [5_000, '5s'],
    [119_000, '119s'],
    [200_000, '3m20s'],
    [600_000, '10m'],
    [3 * 3600_000 + 120_000, '3h2m'],
    [30 * 3600_000, '30h'],
    [3 * 86400_000 + 4 * 3600_000, '3d4h'],
    [40 * 86400_000, '40d'],
  ])('%d ms → %s', (ms, out) => expect(humanDuration(ms)).toBe(out));
});

describe('renderTable', () => {
  it('renders StatefulSets like kubectl', () => {
    const t = renderTable(
      type('StatefulSet'),
      [
        {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          metadata: { name: 'db', creationTimestamp: '2026-01-01T11:59:00Z' },
          spec: {
            replicas: 3,
            template: {
              spec: { containers: [{ name: 'm', image: 'mysql:8' }] },
            },
          },
          status: { readyReplicas: 2 },
        },
      ],
      { now, resourceVersion: '7' },
    ) as any;
    expect(t.kind).toBe('Table');
    expect(t.columnDefinitions.map((c: any) => c.name)).toEqual([
      'Name',
      'Ready',
      'Age',
      'Containers',
      'Images',
    ]);
    expect(t.rows[0].cells).toEqual(['db', '2/3', '60s', 'm', 'mysql:8']);
    expect(t.rows[0].object.kind).toBe('PartialObjectMetadata');
    expect(t.metadata.resourceVersion).toBe('7');
  });

  it('renders pods with readiness, status and restarts', () => {
    const t = renderTable(
      type('Pod'),
      [
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'db-0', creationTimestamp: '2026-01-01T11:00:00Z' },
          spec: { containers: [{ name: 'a' }, { name: 'b' }], nodeName: 'n1' },
          status: {
            phase: 'Running',
            podIP: '10.0.0.1',
            containerStatuses: [
              { ready: true, restartCount: 2 },
              { ready: false, restartCount: 1 },
            ],
          },
        },
      ],
      { now, includeObject: 'None' },
    ) as any;
    expect(t.rows[0].cells.slice(0, 7)).toEqual([
      'db-0',
      '1/2',
      'Running',
      '3',
      '60m',
      '10.0.0.1',
      'n1',
    ]);
    expect(t.rows[0].object).toBeUndefined();
  });

  it('uses CRD printer columns and falls back to Name/Age', () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'virtualservices.networking.istio.io' },
      spec: {
        group: 'networking.istio.io',
        names: { kind: 'VirtualService', plural: 'virtualservices' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            additionalPrinterColumns: [
              { name: 'Hosts', type: 'string', jsonPath: '.spec.hosts' },
              {
                name: 'Weight',
                type: 'integer',
                jsonPath: '.spec.tcp[0].route[0].weight',
              },
              {
                name: 'Age',
                type: 'date',
                jsonPath: '.metadata.creationTimestamp',
              },
            ],
          },
          { name: 'v1beta1', served: true, storage: false },
        ],
      },
    };
    const [v1, v1beta1] = resourcesFromCrd(crd);
    const vs = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'vs', creationTimestamp: '2026-01-01T11:58:00Z' },
      spec: { hosts: ['a'], tcp: [{ route: [{ weight: 70 }] }] },
    };
    expect((renderTable(v1, [vs], { now }) as any).rows[0].cells).toEqual([
      'vs',
      '["a"]',
      70,
      '2m',
    ]);
    const generic = renderTable(v1beta1, [vs], { now }) as any;
    expect(generic.columnDefinitions.map((c: any) => c.name)).toEqual([
      'Name',
      'Age',
    ]);
  });

  it('evaluates filter expressions in JSONPath', () => {
    const o = {
      status: {
        conditions: [
          { type: 'A', status: 'False' },
          { type: 'Ready', status: 'True' },
        ],
      },
    };
    expect(
      evalJsonPath(o, '.status.conditions[?(@.type=="Ready")].status'),
    ).toBe('True');
    expect(evalJsonPath(o, '.status.conditions[-1].type')).toBe('Ready');
  });
});
