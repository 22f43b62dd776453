/*
 * Conformance with a real kubectl v1.35: every command's output is checked,
 * not only its exit code.
 */
import { spawn } from 'node:child_process';
import { DEFAULT_CRD_DIR, RunningSimulator } from './simulator';
import { readCrdDir } from './store/seed';
import {
  fetchKubectl,
  KUBECTL,
  KubectlHome,
  KubectlResult,
} from './testing/kubectl';
import {
  eventually,
  startTestSimulator,
  twoClusterWorld,
} from './testing/testWorld';

jest.setTimeout(60000);

let sim: RunningSimulator;
let home: KubectlHome | undefined;

const VS_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'virtualservices.networking.istio.io' },
  spec: {
    group: 'networking.istio.io',
    scope: 'Namespaced',
    names: {
      kind: 'VirtualService',
      plural: 'virtualservices',
      singular: 'virtualservice',
      shortNames: ['vs'],
      listKind: 'VirtualServiceList',
    },
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
                'x-kubernetes-preserve-unknown-fields': true,
              },
            },
          },
        },
        additionalPrinterColumns: [
          { name: 'Hosts', type: 'string', jsonPath: '.spec.hosts' },
        ],
      },
    ],
  },
};

beforeAll(async () => {
  fetchKubectl();
  const world = twoClusterWorld() as any;
  const shipped = readCrdDir(DEFAULT_CRD_DIR).some(
    c => c.object.spec?.names?.kind === 'VirtualService',
  );
  if (!shipped) world.clusters[0].objects.unshift(VS_CRD);
  world.clusters[0].objects.push({
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'orders-db', namespace: 'databases' },
    spec: {
      hosts: ['orders-db.databases.svc.cluster.local'],
      tcp: [
        {
          route: [
            {
              destination: { host: 'orders-db.databases.svc.cluster.local' },
              weight: 100,
            },
          ],
        },
      ],
    },
  });
  sim = await startTestSimulator(world);
  home = new KubectlHome(sim.clusters);
}, 300000);

afterAll(async () => {
  await sim?.stop();
  home?.remove();
});

function kubectl(args: string[], input?: string): Promise<KubectlResult> {
  return home!.run(args, input);
}

async function ok(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input);
  if (r.code !== 0)
    throw new Error(
      `kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`,
    );
  return r.stdout;
}

const podNames = async (selector = 'app=orders-db') =>
  (
    await ok([
      'get',
      'pods',
      '-n',
      'databases',
      '-l',
      selector,
      '-o',
      'jsonpath={.items[*].metadata.name}',
    ])
  )
    .split(' ')
    .filter(Boolean);

describe('kubectl v1.35 against the simulator', () => {
  it('lists the served resources with api-resources', async () => {
    const out = await ok(['api-resources']);
    const line = (name: string) =>
      out.split('\n').find(l => l.split(/\s+/)[0] === name) ?? '';
    expect(line('statefulsets')).toMatch(
      /^statefulsets\s+sts\s+apps\/v1\s+true\s+StatefulSet$/,
    );
    expect(line('pods')).toMatch(/po\s+v1\s+true\s+Pod/);
    expect(line('persistentvolumes')).toMatch(
      /pv\s+v1\s+false\s+PersistentVolume/,
    );
    expect(line('virtualservices')).toMatch(
      /networking\.istio\.io\/v1\s+true\s+VirtualService/,
    );
  });

  it('gets StatefulSets of all namespaces as JSON', async () => {
    await eventually(async () => (await podNames()).length === 2);
    const list = JSON.parse(
      await ok(['get', 'statefulsets', '-A', '-o', 'json']),
    );
    expect(list.kind).toBe('List');
    expect(
      list.items.map((i: any) => `${i.metadata.namespace}/${i.metadata.name}`),
    ).toEqual(['databases/orders-db']);
    expect(list.items[0].spec.volumeClaimTemplates[0].metadata.name).toBe(
      'data',
    );
  });

  it('gets pods by label selector, with the usual table', async () => {
    const out = await ok([
      'get',
      'pods',
      '-n',
      'databases',
      '-l',
      'app=orders-db,multicluster-statefulsets/pod-role in (primary)',
    ]);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(lines.slice(1).map(l => l.split(/\s+/).slice(0, 3))).toEqual([
      ['orders-db-0', '1/1', 'Running'],
    ]);
    const none = await kubectl([
      'get',
      'pods',
      '-n',
      'databases',
      '-l',
      'app=nothing',
    ]);
    expect(none.stderr).toContain('No resources found in databases namespace.');
  });

  it('describes a StatefulSet with its pods status and events', async () => {
    const out = await ok([
      'describe',
      'statefulset',
      'orders-db',
      '-n',
      'databases',
    ]);
    expect(out).toMatch(/^Name:\s+orders-db$/m);
    expect(out).toMatch(/^Namespace:\s+databases$/m);
    expect(out).toMatch(/^Replicas:\s+2 desired \| 2 total$/m);
    expect(out).toMatch(
      /^Pods Status:\s+2 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed$/m,
    );
    expect(out).toMatch(
      /SuccessfulCreate\s+.*create Pod orders-db-0 in StatefulSet orders-db successful/,
    );
  });

  it('describes a pod with its scheduler and kubelet events', async () => {
    const out = await ok(['describe', 'pod', 'orders-db-0', '-n', 'databases']);
    expect(out).toMatch(/^Status:\s+Running$/m);
    expect(out).toMatch(/^Controlled By:\s+StatefulSet\/orders-db$/m);
    expect(out).toMatch(
      /Scheduled\s+.*default-scheduler\s+Successfully assigned databases\/orders-db-0 to /,
    );
    expect(out).toMatch(/Started\s+.*kubelet\s+Started container mysql/);
  });

  it('scales a StatefulSet up and down', async () => {
    expect(
      await ok([
        'scale',
        'statefulset',
        'orders-db',
        '-n',
        'databases',
        '--replicas=3',
      ]),
    ).toBe('statefulset.apps/orders-db scaled\n');
    await eventually(
      async () =>
        (await podNames()).join(',') === 'orders-db-0,orders-db-1,orders-db-2',
      10000,
    );
    expect(
      await ok([
        'scale',
        'sts',
        'orders-db',
        '-n',
        'databases',
        '--replicas=1',
      ]),
    ).toBe('statefulset.apps/orders-db scaled\n');
    await eventually(
      async () => (await podNames()).join(',') === 'orders-db-0',
      10000,
    );
    expect(
      await ok([
        'get',
        'sts',
        'orders-db',
        '-n',
        'databases',
        '-o',
        'jsonpath={.status.replicas}',
      ]),
    ).toBe('1');
  });

  it('patches with merge, json and strategic patches', async () => {
    const get = (p: string) =>
      ok(['get', 'sts', 'orders-db', '-n', 'databases', '-o', `jsonpath=${p}`]);
    expect(
      await ok([
        'patch',
        'sts',
        'orders-db',
        '-n',
        'databases',
        '--type',
        'merge',
        '-p',
        '{"metadata":{"labels":{"tier":"gold"}}}',
      ]),
    ).toBe('statefulset.apps/orders-db patched\n');
    expect(await get('{.metadata.labels.tier}')).toBe('gold');
    expect(
      await ok([
        'patch',
        'sts',
        'orders-db',
        '-n',
        'databases',
        '--type',
        'json',
        '-p',
        '[{"op":"replace","path":"/metadata/labels/tier","value":"silver"}]',
      ]),
    ).toBe('statefulset.apps/orders-db patched\n');
    expect(await get('{.metadata.labels.tier}')).toBe('silver');
    expect(
      await ok([
        'patch',
        'sts',
        'orders-db',
        '-n',
        'databases',
        '--type',
        'strategic',
        '-p',
        '{"spec":{"template":{"spec":{"containers":[{"name":"mysql","image":"mysql:8.4.2"}]}}}}',
      ]),
    ).toBe('statefulset.apps/orders-db patched\n');
    expect(await get('{.spec.template.spec.containers[*].image}')).toBe(
      'mysql:8.4.2',
    );
    expect(
      await get('{.spec.template.spec.containers[0].ports[0].containerPort}'),
    ).toBe('3306');
    await eventually(
      async () =>
        (await ok([
          'get',
          'pods',
          '-n',
          'databases',
          '-o',
          'jsonpath={.items[*].spec.containers[0].image}',
        ])) === 'mysql:8.4.2',
      10000,
    );
    const unchanged = await ok([
      'patch',
      'sts',
      'orders-db',
      '-n',
      'databases',
      '--type',
      'merge',
      '-p',
      '{"metadata":{"labels":{"tier":"silver"}}}',
    ]);
    expect(unchanged).toBe('statefulset.apps/orders-db patched (no change)\n');
  });

  it('applies server-side and dry-runs without changing anything', async () => {
    const manifest = (mode: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: databases\ndata:\n  mode: ${mode}\n`;
    expect(
      await ok(['apply', '--server-side', '-f', '-'], manifest('fast')),
    ).toBe('configmap/settings serverside-applied\n');
    const cm = JSON.parse(
      await ok([
        'get',
        'cm',
        'settings',
        '-n',
        'databases',
        '-o',
        'json',
        '--show-managed-fields',
      ]),
    );
    expect(cm.metadata.managedFields[0]).toMatchObject({
      manager: 'kubectl',
      operation: 'Apply',
    });
    const rv = cm.metadata.resourceVersion;
    expect(
      await ok(
        ['apply', '--server-side', '--dry-run=server', '-f', '-'],
        manifest('slow'),
      ),
    ).toBe('configmap/settings serverside-applied (server dry run)\n');
    const dry = await ok(
      ['apply', '--dry-run=server', '-f', '-'],
      manifest('slower'),
    );
    expect(dry).toBe('configmap/settings configured (server dry run)\n');
    const after = JSON.parse(
      await ok(['get', 'cm', 'settings', '-n', 'databases', '-o', 'json']),
    );
    expect(after.data.mode).toBe('fast');
    expect(after.metadata.resourceVersion).toBe(rv);
    const strict = await kubectl(
      ['apply', '--server-side', '-f', '-'],
      `${manifest('x')}dta: {}\n`,
    );
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toContain('unknown field "dta"');
  });

  it('gets custom resources with their printer columns', async () => {
    const out = await ok(['get', 'virtualservices', '-n', 'databases']);
    const [header, row] = out.trim().split('\n');
    expect(header).toMatch(/^NAME\s+.*HOSTS/);
    expect(row).toMatch(
      /^orders-db\s+.*orders-db\.databases\.svc\.cluster\.local/,
    );
    const yaml = await ok([
      'get',
      'vs',
      'orders-db',
      '-n',
      'databases',
      '-o',
      'jsonpath={.spec.tcp[0].route[0].weight}',
    ]);
    expect(yaml).toBe('100');
  });

  it('watches until a change is seen', async () => {
    const child = spawn(
      KUBECTL,
      ['get', 'sts', '-n', 'databases', '-w', '--request-timeout=20s'],
      { env: home!.env },
    );
    let out = '';
    child.stdout.on('data', d => {
      out += d;
    });
    try {
      await eventually(() => out.includes('orders-db'), 10000);
      await ok([
        'scale',
        'sts',
        'orders-db',
        '-n',
        'databases',
        '--replicas=2',
      ]);
      await eventually(() => /orders-db\s+\d\/2/.test(out), 10000);
    } finally {
      child.kill();
    }
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+READY\s+AGE$/);
    expect(
      lines.slice(1).every(l => /^orders-db\s+\d\/\d\s+\S+$/.test(l)),
    ).toBe(true);
  });

  it('deletes a StatefulSet with its pods and keeps its claims', async () => {
    expect(
      await ok(['delete', 'statefulset', 'orders-db', '-n', 'databases']),
    ).toMatch(/^statefulset.apps "orders-db" deleted/);
    const missing = await kubectl([
      'get',
      'sts',
      'orders-db',
      '-n',
      'databases',
    ]);
    expect(missing.stderr).toContain(
      'Error from server (NotFound): statefulsets.apps "orders-db" not found',
    );
    expect(await podNames()).toEqual([]);
    const claims = await ok(['get', 'pvc', '-n', 'databases', '-o', 'name']);
    expect(claims).toContain('persistentvolumeclaim/data-orders-db-0');
  });

  it('reports a wrong token as kubectl does', async () => {
    const bad = await kubectl(['get', 'pods', '-A', '--token', 'wrong']);
    expect(bad.stderr).toContain('You must be logged in to the server');
  });
});
