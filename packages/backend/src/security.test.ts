/*
 * The write paths tried by a second signed-in user who owns nothing
 * (`user:default/mallory`, a member of `payments`), against the real catalog,
 * the portal's permission policy, the multi-cluster StatefulSets backend and
 * the demo world in the cluster simulator. Every attempt must be refused with
 * a status and a message naming why, and leave every cluster as it was; the
 * owner's flows (the guest, a member of `database-platform`) keep working.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  CONTROLLER_MADE_KINDS,
  RunningSimulator,
} from '@multicluster/cluster-simulator';
import request from 'supertest';
import { startPortalTestBackend } from './__testUtils__/portalTestServices';

const API = '/api/multicluster-statefulsets';
const MALLORY = 'user:default/mallory';
const GUEST = 'user:default/guest';

/** Entities only this suite registers: a decoy of mallory's, and a region-pattern trap. */
const TEST_ENTITIES = `
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: mallory }
spec: { memberOf: [payments] }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-decoy
  annotations:
    backstage.io/kubernetes-id: orders-mysql
    backstage.io/kubernetes-namespace: databases
    multicluster-statefulsets/engine: mysql
    multicluster-statefulsets/traffic: databases/orders-mysql
spec: { type: database, lifecycle: production, owner: group:default/payments }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-regions
  annotations:
    backstage.io/kubernetes-id: orders-mysql
    backstage.io/kubernetes-namespace: databases
    multicluster-statefulsets/allowed-regions: "${'*'.repeat(24)}x"
spec: { type: database, lifecycle: production, owner: group:default/payments }
`;

const as = (ref: string) => mockCredentials.user.header(ref);

describe('the write paths, as a user who owns nothing', () => {
  let sim: RunningSimulator;
  let server: any;
  let dir: string;

  /**
   * What a write could change in every cluster: each object's identity,
   * spec, labels and annotations (not its status, nor the lag annotations
   * the simulator's controllers keep moving). Objects the controllers make
   * on their own (pods with their claims and volumes as a StatefulSet rolls
   * out, events, revisions) are left out: a write of the product's shows in
   * the objects that drive them.
   */
  const snapshot = () =>
    [...sim.stores.entries()]
      .flatMap(([cluster, store]) =>
        store
          .dump()
          .filter(o => !CONTROLLER_MADE_KINDS.has(o.kind))
          .map(o => {
            const annotations = Object.entries(o.metadata.annotations ?? {})
              .filter(([key]) => !key.includes('replication-lag'))
              .sort();
            return JSON.stringify([
              cluster,
              o.apiVersion,
              o.kind,
              o.metadata.namespace,
              o.metadata.name,
              (o as any).spec,
              (o as any).data,
              // Karmada's propagation rewrites the same labels in another order.
              Object.entries(o.metadata.labels ?? {}).sort(),
              annotations,
            ]);
          }),
      )
      .sort();

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'security-'));
    fs.writeFileSync(path.join(dir, 'entities.yaml'), TEST_ENTITIES);
    const started = await startPortalTestBackend({
      ownership: {
        [MALLORY]: [MALLORY, 'group:default/payments'],
        [GUEST]: [GUEST, 'group:default/database-platform'],
      },
      locations: [path.join(dir, 'entities.yaml')],
    });
    sim = started.sim;
    server = started.backend.server;
    // The catalog reads its file locations on its first processing round.
    for (let i = 0; i < 150; i++) {
      const res = await request(server)
        .get('/api/catalog/entities/by-name/component/default/payments-decoy')
        .set('authorization', mockCredentials.service.header());
      const orders = await request(server)
        .get('/api/catalog/entities/by-name/component/default/orders-mysql')
        .set('authorization', mockCredentials.service.header());
      if (res.status === 200 && orders.status === 200) break;
      await new Promise(r => setTimeout(r, 200));
    }
  }, 60_000);

  afterAll(async () => {
    await sim?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an unauthenticated write before reading its body', async () => {
    const res = await request(server)
      .post(`${API}/entities/component/default/orders-mysql/failover/runs`)
      .set('authorization', mockCredentials.none.header())
      .send({ targetCluster: 'eu-west', mode: 'switchover' });
    expect(res.status).toBe(401);
    const apply = await request(server)
      .post(`${API}/apply`)
      .set('authorization', mockCredentials.none.header())
      .set('content-type', 'application/json')
      .send(`{"entityRef":"${'x'.repeat(2 * 1024 * 1024)}"}`);
    expect(apply.status).toBe(401);
  });

  it('refuses to fail over a database mallory does not own', async () => {
    const before = snapshot();
    const res = await request(server)
      .post(`${API}/entities/component/default/orders-mysql/failover/runs`)
      .set('authorization', as(MALLORY))
      .send({
        targetCluster: 'eu-west',
        mode: 'switchover',
        confirm: 'orders-mysql',
      });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/failover/);
    await new Promise(r => setTimeout(r, 500));
    expect(snapshot()).toEqual(before);
  });

  it('lets the owner plan a switchover of the same database', async () => {
    const res = await request(server)
      .post(`${API}/entities/component/default/orders-mysql/failover/plan`)
      .set('authorization', as(GUEST))
      .send({ targetCluster: 'eu-west', mode: 'switchover' });
    expect(res.status).toBe(200);
    expect(res.body.checks ?? res.body.preconditions).toBeDefined();
  });

  it('refuses to write cluster-wide objects through the apply route', async () => {
    const before = snapshot();
    const res = await request(server)
      .post(`${API}/apply`)
      .set('authorization', as(MALLORY))
      .send({
        entityRef: 'component:default/mallory-db',
        clusters: [
          {
            name: 'eu-west',
            manifests: [
              {
                apiVersion: 'rbac.authorization.k8s.io/v1',
                kind: 'ClusterRoleBinding',
                metadata: { name: 'mallory-admin' },
                roleRef: {
                  apiGroup: 'rbac.authorization.k8s.io',
                  kind: 'ClusterRole',
                  name: 'cluster-admin',
                },
                subjects: [{ kind: 'User', name: 'mallory' }],
              },
            ],
          },
        ],
      });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(
      /ClusterRoleBinding .* is not a kind the template generates/,
    );
    expect(snapshot()).toEqual(before);
  });

  it("refuses to apply over another team's StatefulSet", async () => {
    const before = snapshot();
    const res = await request(server)
      .post(`${API}/apply`)
      .set('authorization', as(MALLORY))
      .send({
        entityRef: 'component:default/mallory-db',
        clusters: [
          {
            name: 'eu-central',
            manifests: [
              {
                apiVersion: 'apps/v1',
                kind: 'StatefulSet',
                metadata: { name: 'orders-mysql', namespace: 'databases' },
                spec: { replicas: 0 },
              },
            ],
          },
        ],
      });
    expect(res.status).toBe(200);
    expect(res.body.results[0]).toMatchObject({
      status: 'failed',
      refused: [
        expect.objectContaining({
          reason: expect.stringContaining(
            'belongs to component:default/orders-mysql',
          ),
        }),
      ],
    });
    expect(snapshot()).toEqual(before);
  });

  it("refuses to fail over another team's objects through a decoy entity mallory owns", async () => {
    const before = snapshot();
    const plan = await request(server)
      .post(`${API}/entities/component/default/payments-decoy/failover/plan`)
      .set('authorization', as(MALLORY))
      .send({ targetCluster: 'eu-west', mode: 'switchover' });
    expect(plan.status).toBe(200);
    expect(plan.body.allowed).toBe(false);
    const ownership = plan.body.checks.find((c: any) => c.id === 'ownership');
    expect(ownership).toMatchObject({ status: 'fail' });
    expect(JSON.stringify(ownership)).toMatch(
      /component:default\/orders-mysql/,
    );

    for (const body of [
      { mode: 'switchover' },
      { mode: 'failover', force: true, reason: 'testing' },
    ]) {
      const run = await request(server)
        .post(`${API}/entities/component/default/payments-decoy/failover/runs`)
        .set('authorization', as(MALLORY))
        .send({ targetCluster: 'eu-west', confirm: 'payments-decoy', ...body });
      expect(run.status).toBeGreaterThanOrEqual(400);
      expect(run.status).toBeLessThan(500);
      expect(run.body.error.message).toMatch(/orders-mysql/);
    }
    await new Promise(r => setTimeout(r, 500));
    expect(snapshot()).toEqual(before);
  });

  it('refuses a service principal that the configuration does not name', async () => {
    const res = await request(server)
      .post(`${API}/entities/component/default/orders-mysql/failover/runs`)
      .set(
        'authorization',
        mockCredentials.service.header({
          onBehalfOf: mockCredentials.service('external:bot'),
          targetPluginId: 'multicluster-statefulsets',
        }),
      )
      .send({
        targetCluster: 'eu-west',
        mode: 'switchover',
        confirm: 'orders-mysql',
      });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/act for a signed-in user/);
  });

  it('refuses an emergency failover while the source still answers, unless a reason is given', async () => {
    const plan = await request(server)
      .post(`${API}/entities/component/default/orders-mysql/failover/plan`)
      .set('authorization', as(GUEST))
      .send({ targetCluster: 'eu-west', mode: 'failover' });
    expect(plan.status).toBe(200);
    expect(plan.body.allowed).toBe(false);
    expect(JSON.stringify(plan.body.checks)).toMatch(
      /still answers: use a switchover/,
    );
    const before = snapshot();
    const run = await request(server)
      .post(`${API}/entities/component/default/orders-mysql/failover/runs`)
      .set('authorization', as(GUEST))
      .send({
        targetCluster: 'eu-west',
        mode: 'failover',
        force: true,
        confirm: 'orders-mysql',
      });
    expect(run.status).toBe(400);
    expect(run.body.error.message).toMatch(/still answers/);
    expect(snapshot()).toEqual(before);
  });

  it('answers quickly whatever region patterns an entity carries', async () => {
    const started = Date.now();
    const [topology, clusters] = await Promise.all([
      request(server)
        .get(`${API}/entities/component/default/payments-regions/topology`)
        .set('authorization', as(MALLORY)),
      request(server).get(`${API}/clusters`).set('authorization', as(MALLORY)),
    ]);
    expect(topology.status).toBe(200);
    expect(clusters.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('answers a 9 MB body to a failover route with 413, without parsing it', async () => {
    const res = await request(server)
      .post(`${API}/entities/component/default/orders-mysql/failover/runs`)
      .set('authorization', as(MALLORY))
      .set('content-type', 'application/json')
      .send(`{"targetCluster":"${'x'.repeat(9 * 1024 * 1024)}"}`);
    expect(res.status).toBe(413);
  });

  it("refuses to take over a generated entity's owner", async () => {
    const post = (user: string, owner: string) =>
      request(server)
        .post(`${API}/apply`)
        .set('authorization', as(user))
        .send({
          entityRef: 'component:default/ledger-db',
          clusters: [
            {
              name: 'eu-west',
              manifests: [
                {
                  apiVersion: 'v1',
                  kind: 'ConfigMap',
                  metadata: { name: 'ledger-db', namespace: 'ledger' },
                  data: { mode: 'primary' },
                },
              ],
            },
          ],
          catalogInfo: {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: {
              name: 'ledger-db',
              annotations: { 'backstage.io/kubernetes-namespace': 'ledger' },
            },
            spec: { type: 'database', lifecycle: 'production', owner },
          },
        });
    const created = await post(GUEST, 'group:default/database-platform');
    expect(created.status).toBe(200);
    expect(created.body.registered).toBe(true);
    const before = snapshot();
    const stolen = await post(MALLORY, 'group:default/payments');
    expect(stolen.status).toBe(403);
    expect(stolen.body.error.message).toMatch(
      /owned by group:default\/database-platform/,
    );
    expect(snapshot()).toEqual(before);
  });
});
