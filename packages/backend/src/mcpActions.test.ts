/*
 * The database actions as an agent reaches them: a real MCP client
 * (@modelcontextprotocol/sdk over Streamable HTTP) against the portal's
 * backend with the MCP actions backend, the real catalog, the portal's
 * permission policy, the multi-cluster StatefulSets plugin and the demo
 * world in the cluster simulator. The owner of `orders-mysql` (the guest, a
 * member of `database-platform`) reads, plans and starts a switchover; a
 * user who owns nothing (`user:default/mallory`) is refused, and no run is
 * made for them.
 */
import { AddressInfo } from 'node:net';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { RunningSimulator } from '@multicluster/cluster-simulator';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import mcpActionsBackend from '@backstage/plugin-mcp-actions-backend';
import { startPortalTestBackend } from './__testUtils__/portalTestServices';

const GUEST = 'user:default/guest';
const MALLORY = 'user:default/mallory';
const DB = 'component:default/orders-mysql';
const TOOL = (id: string) => `multicluster-statefulsets.${id}`;
const IDS = [
  'get-database-topology',
  'plan-failover',
  'list-failover-runs',
  'start-failover',
];

/** The statefulsets plugin's audit events, as its auditor was told them. */
const audited: Array<{ eventId: string; status: string; meta: any }> = [];
const auditorFactory = createServiceFactory({
  service: coreServices.auditor,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }) {
    return {
      async createEvent(options) {
        const record = (status: string, meta?: object) => {
          if (plugin.getId() === 'multicluster-statefulsets') {
            audited.push({
              eventId: options.eventId,
              status,
              meta: { ...options.meta, ...meta },
            });
          }
        };
        record('initiated');
        return {
          async success(o) {
            record('succeeded', o?.meta);
          },
          async fail(o) {
            record('failed', o.meta);
          },
        };
      },
    };
  },
});

/** The tool's structured output, or the error text of a refused call. */
async function call(client: Client, id: string, args: object) {
  const result: any = await client.callTool({
    name: TOOL(id),
    arguments: args as Record<string, unknown>,
  });
  return result.isError
    ? { error: result.content[0].text as string }
    : { output: result.structuredContent as any };
}

/** Calls `fn` every half second until `done` holds of its answer (at most 60 s); the last answer. */
async function until<T>(fn: () => Promise<T>, done: (t: T) => boolean) {
  let last = await fn();
  for (let i = 0; i < 120 && !done(last); i++) {
    await new Promise(r => setTimeout(r, 500));
    last = await fn();
  }
  return last;
}

describe('database actions over MCP', () => {
  let sim: RunningSimulator;
  let url: URL;
  const clients: Client[] = [];

  async function connect(user: string): Promise<Client> {
    const client = new Client({ name: 'mcp-actions-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(url, {
        requestInit: {
          headers: { Authorization: mockCredentials.user.header(user) },
        },
      }),
    );
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    const started = await startPortalTestBackend({
      ownership: {
        [GUEST]: [GUEST, 'group:default/database-platform'],
        [MALLORY]: [MALLORY, 'group:default/payments'],
      },
      features: [mcpActionsBackend, auditorFactory],
      config: {
        backend: { actions: { pluginSources: ['multicluster-statefulsets'] } },
      },
    });
    sim = started.sim;
    const { port } = started.backend.server.address() as AddressInfo;
    url = new URL(`http://localhost:${port}/api/mcp-actions/v1`);
    // The catalog reads its file locations on its first processing round.
    const guest = await connect(GUEST);
    await until(
      () => call(guest, 'get-database-topology', { entityRef: DB }),
      ({ error }) => !error?.match(/NotFoundError/),
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all(clients.map(c => c.close()));
    await sim?.stop();
  });

  it('lists the four tools with descriptions and input schemas', async () => {
    const { tools } = await (await connect(MALLORY)).listTools();
    const ours = tools.filter(t => t.name.startsWith(TOOL('')));
    expect(ours.map(t => t.name).sort()).toEqual(IDS.map(TOOL).sort());
    for (const tool of ours) {
      expect(tool.description?.length).toBeGreaterThan(200);
      expect(tool.inputSchema.properties).toHaveProperty('entityRef');
      expect(tool.inputSchema.required).toContain('entityRef');
    }
    const start = ours.find(t => t.name === TOOL('start-failover'))!;
    expect(start.inputSchema.required).toEqual(
      expect.arrayContaining(['targetCluster', 'mode', 'confirm']),
    );
    expect(start.annotations).toMatchObject({
      destructiveHint: true,
      readOnlyHint: false,
    });
  });

  it('summarizes the topology: clusters, roles, lag and the readiness verdict', async () => {
    const { output } = await call(
      await connect(MALLORY),
      'get-database-topology',
      { entityRef: 'orders-mysql' },
    );
    expect(output.entityRef).toBe(DB);
    const byName = Object.fromEntries(
      output.clusters.map((c: any) => [c.name, c]),
    );
    expect(byName['eu-central']).toMatchObject({
      reachable: true,
      role: 'active',
      workloads: [
        expect.objectContaining({ name: 'orders-mysql', role: 'active' }),
      ],
    });
    expect(byName['eu-west']).toMatchObject({
      reachable: true,
      role: 'passive',
    });
    expect(output.replication).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          from: 'eu-central',
          to: 'eu-west',
          lagSeconds: expect.any(Number),
          lagSource: expect.any(String),
        }),
      ]),
    );
    expect(['ready', 'degraded', 'not-ready']).toContain(
      output.readiness.verdict,
    );
    expect(
      output.readiness.failingChecks.every((c: any) => c.status !== 'pass'),
    ).toBe(true);
  });

  it('plans a switchover for the owner, with checks and the data-loss window', async () => {
    const { output } = await call(await connect(GUEST), 'plan-failover', {
      entityRef: DB,
      targetCluster: 'eu-west',
      mode: 'switchover',
    });
    expect(output).toMatchObject({
      sourceCluster: 'eu-central',
      targetCluster: 'eu-west',
      confirmWith: 'orders-mysql',
      dataLossWindowSeconds: 0,
    });
    expect(output.checks.length).toBeGreaterThan(3);
    expect(output.steps.map((s: any) => s.kind)).toContain('promote');
  });

  it("refuses mallory's start-failover, naming the permission, and makes no run", async () => {
    const mallory = await connect(MALLORY);
    const { error } = await call(mallory, 'start-failover', {
      entityRef: DB,
      targetCluster: 'eu-west',
      mode: 'switchover',
      confirm: 'orders-mysql',
    });
    expect(error).toBe(
      `NotAllowedError: Not allowed: multicluster-statefulsets.failover.execute on ${DB} for ${MALLORY}`,
    );
    const { output } = await call(mallory, 'list-failover-runs', {
      entityRef: DB,
    });
    expect(output.runs).toEqual([]);
    expect(audited).toContainEqual({
      eventId: 'failover-execute',
      status: 'failed',
      meta: {
        entityRef: DB,
        caller: MALLORY,
        via: 'action:start-failover',
      },
    });
  });

  it('starts the switchover for the owner, as the owner, and lists the run', async () => {
    const guest = await connect(GUEST);
    // The simulator's pods become ready a few seconds after start-up: wait
    // for a plan that allows the switchover, as an agent would.
    const plan = await until(
      () =>
        call(guest, 'plan-failover', {
          entityRef: DB,
          targetCluster: 'eu-west',
          mode: 'switchover',
        }),
      ({ output }) => output?.allowed === true,
    );
    expect(plan.output.allowed).toBe(true);
    const { output: started, error } = await call(guest, 'start-failover', {
      entityRef: DB,
      targetCluster: 'eu-west',
      mode: 'switchover',
      confirm: 'orders-mysql',
    });
    expect(error).toBeUndefined();
    expect(started).toMatchObject({
      runId: expect.any(String),
      actor: GUEST,
      sourceCluster: 'eu-central',
      targetCluster: 'eu-west',
    });
    expect(audited).toContainEqual({
      eventId: 'failover-execute',
      status: 'succeeded',
      meta: expect.objectContaining({
        caller: GUEST,
        via: 'action:start-failover',
        runId: started.runId,
      }),
    });
    // The run goes on in the backend; follow it to its end as an agent would.
    const runOf = ({ output }: { output?: any }) =>
      output?.runs.find((r: any) => r.id === started.runId);
    const listed = await until(
      () => call(guest, 'list-failover-runs', { entityRef: DB }),
      result => !['pending', 'running'].includes(runOf(result)?.status),
    );
    expect(runOf(listed)).toMatchObject({ actor: GUEST, status: 'succeeded' });
  }, 150_000);
});
