import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  failoverExecutePermission,
  FailoverRun,
  planFailover,
  topologyReadPermission,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { FailoverRequests } from '../failover/FailoverRequests';
import {
  RecordedAuditEvent,
  recordingAuditor,
} from '../failover/__testUtils__/recordingAuditor';
import { demoTopology } from './__testUtils__/demoTopology';
import { registerDatabaseActions } from './registerDatabaseActions';

const REF = 'component:default/orders';
const OWNER = mockCredentials.user('user:default/owner');
const STRANGER = mockCredentials.user('user:default/stranger');

function run(input: any): FailoverRun {
  return {
    id: 'run-1',
    entityRef: REF,
    mode: input.mode,
    sourceCluster: 'eu-central',
    targetCluster: input.targetCluster,
    status: 'pending',
    actor: input.actor,
    createdAt: '2026-01-01T00:00:00.000Z',
    plan: planFailover({ ...input, now: Date.now() }),
  };
}

describe('registerDatabaseActions', () => {
  let events: RecordedAuditEvent[];
  const engine = {
    plan: jest.fn(async (input: any) =>
      planFailover({ ...input, now: Date.now() }),
    ),
    start: jest.fn(async (input: any) => run(input)),
  };
  const store = {
    listRuns: jest.fn(async () => [
      run({
        topology: demoTopology(),
        targetCluster: 'eu-west',
        mode: 'switchover',
        actor: 'user:default/owner',
      }),
    ]),
    getRunDetails: jest.fn(),
  };
  // The portal's rule: reads for everyone, failover for the owner only.
  const permissions = mockServices.permissions.mock({
    authorize: async (reqs: any[], { credentials }: any) =>
      reqs.map(r => ({
        result:
          r.permission.name === topologyReadPermission.name ||
          credentials.principal.userEntityRef === 'user:default/owner'
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
      })) as any,
  });
  const topology = {
    getTopology: jest.fn(async () => ({ topology: demoTopology() })),
  };

  function actions() {
    const registry = actionsRegistryServiceMock();
    const auditor = recordingAuditor(events);
    registerDatabaseActions({
      actionsRegistry: registry,
      requests: FailoverRequests.create({
        engine,
        store,
        topology,
        permissions,
        auditor,
      }),
      topology,
      permissions,
    });
    const invoke = (
      name: string,
      input: object,
      credentials: BackstageCredentials = OWNER,
    ) =>
      registry.invoke({ id: `test:${name}`, input: input as any, credentials });
    return { registry, invoke };
  }

  beforeEach(() => {
    events = [];
    jest.clearAllMocks();
  });

  it('registers the four actions, each with a description and schemas an LLM can read', async () => {
    const { actions: listed } = await actions().registry.list();
    expect(listed.map(a => a.name).sort()).toEqual([
      'get-database-topology',
      'list-failover-runs',
      'plan-failover',
      'start-failover',
    ]);
    for (const action of listed) {
      expect(action.description.length).toBeGreaterThan(200);
      const input = action.schema.input as any;
      expect(input.required).toContain('entityRef');
      expect(input.properties.entityRef.description).toMatch(
        /component:default\/orders-mysql/,
      );
      expect((action.schema.output as any).type).toBe('object');
    }
    const start = listed.find(a => a.name === 'start-failover')!;
    expect(start.attributes).toEqual({
      readOnly: false,
      destructive: true,
      idempotent: false,
    });
    expect((start.schema.input as any).required).toEqual(
      expect.arrayContaining(['targetCluster', 'mode', 'confirm']),
    );
    expect(
      listed.filter(a => a.attributes.readOnly).map(a => a.name),
    ).toHaveLength(3);
  });

  it('get-database-topology reads as the caller under the read permission, a bare name meaning a Component', async () => {
    const { output } = await actions().invoke('get-database-topology', {
      entityRef: 'orders',
    });
    expect(permissions.authorize).toHaveBeenCalledWith(
      [{ permission: topologyReadPermission, resourceRef: REF }],
      { credentials: OWNER },
    );
    expect(topology.getTopology).toHaveBeenCalledWith(REF, OWNER);
    expect(output).toMatchObject({
      entityRef: REF,
      clusters: [
        { name: 'eu-central', reachable: true },
        { name: 'eu-west', reachable: false },
      ],
      readiness: {
        verdict: 'degraded',
        failingChecks: [{ id: 'lag' }, { id: 'traffic' }],
      },
    });
  });

  it('refuses a read the policy denies, naming the permission and the entity', async () => {
    permissions.authorize.mockResolvedValueOnce([
      { result: AuthorizeResult.DENY },
    ]);
    await expect(
      actions().invoke('get-database-topology', { entityRef: REF }),
    ).rejects.toThrow(
      'Not allowed: multicluster-statefulsets.topology.read on component:default/orders for user:default/owner',
    );
    expect(topology.getTopology).not.toHaveBeenCalled();
  });

  it('refuses an entity ref that is not one, saying the form', async () => {
    await expect(
      actions().invoke('get-database-topology', {
        entityRef: 'component:/orders',
      }),
    ).rejects.toThrow(
      /entityRef: "component:\/orders" is not an entity ref; use kind:namespace\/name/,
    );
  });

  it('plan-failover plans as the caller and audits it naming the caller and the action', async () => {
    const { output } = await actions().invoke('plan-failover', {
      entityRef: REF,
      targetCluster: ' eu-west ',
      mode: 'switchover',
    });
    expect(engine.plan).toHaveBeenCalledWith(
      expect.objectContaining({ targetCluster: 'eu-west', mode: 'switchover' }),
    );
    expect(output).toMatchObject({
      entityRef: REF,
      sourceCluster: 'eu-central',
      targetCluster: 'eu-west',
      confirmWith: 'orders',
      dataLossWindowSeconds: expect.anything(),
      // The demo's target does not answer: the plan says so and refuses.
      allowed: false,
      checks: expect.arrayContaining([
        expect.objectContaining({ id: 'target-reachable', status: 'fail' }),
      ]),
    });
    expect(events).toEqual([
      {
        eventId: 'failover-plan',
        meta: {
          entityRef: REF,
          caller: 'user:default/owner',
          via: 'action:plan-failover',
        },
        outcome: 'success',
      },
    ]);
  });

  it('start-failover starts a run for the owner who typed the name', async () => {
    const { output } = await actions().invoke('start-failover', {
      entityRef: REF,
      targetCluster: 'eu-west',
      mode: 'switchover',
      confirm: 'orders',
    });
    expect(engine.start).toHaveBeenCalledWith(
      expect.objectContaining({
        actor: 'user:default/owner',
        force: false,
        targetCluster: 'eu-west',
      }),
    );
    expect(output).toEqual({
      runId: 'run-1',
      status: 'pending',
      entityRef: REF,
      mode: 'switchover',
      sourceCluster: 'eu-central',
      targetCluster: 'eu-west',
      actor: 'user:default/owner',
    });
    expect(events).toEqual([
      expect.objectContaining({
        eventId: 'failover-execute',
        meta: expect.objectContaining({ via: 'action:start-failover' }),
        outcome: 'success',
      }),
    ]);
  });

  it('start-failover refuses a user who does not own the database, and starts nothing', async () => {
    await expect(
      actions().invoke(
        'start-failover',
        {
          entityRef: REF,
          targetCluster: 'eu-west',
          mode: 'switchover',
          confirm: 'orders',
        },
        STRANGER,
      ),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: `Not allowed: ${failoverExecutePermission.name} on ${REF} for user:default/stranger`,
    });
    expect(engine.start).not.toHaveBeenCalled();
    expect(events).toEqual([
      {
        eventId: 'failover-execute',
        meta: {
          entityRef: REF,
          caller: 'user:default/stranger',
          via: 'action:start-failover',
        },
        outcome: 'fail',
      },
    ]);
  });

  it('start-failover keeps the confirmation, force and writer rules of the entity page', async () => {
    const { invoke } = actions();
    const base = { entityRef: REF, targetCluster: 'eu-west' };
    await expect(
      invoke('start-failover', { ...base, mode: 'switchover', confirm: 'yes' }),
    ).rejects.toThrow('confirm: type the entity name "orders" to confirm');
    await expect(
      invoke('start-failover', {
        ...base,
        mode: 'failover',
        confirm: 'orders',
      }),
    ).rejects.toThrow(/^force: an emergency failover may lose data/);
    await expect(
      invoke(
        'start-failover',
        { ...base, mode: 'switchover', confirm: 'orders' },
        mockCredentials.service('external:bot'),
      ),
    ).rejects.toThrow(/the service "external:bot" is not allowed to write/);
    await expect(
      invoke('start-failover', {
        ...base,
        mode: 'teleport',
        confirm: 'orders',
      }),
    ).rejects.toThrow(/Invalid input/);
    expect(engine.start).not.toHaveBeenCalled();
  });

  it('list-failover-runs lists under the read permission, without the plans', async () => {
    const { output } = await actions().invoke(
      'list-failover-runs',
      { entityRef: REF },
      STRANGER,
    );
    expect(store.listRuns).toHaveBeenCalledWith(REF, { limit: 10 });
    expect(permissions.authorize).toHaveBeenCalledWith(
      [{ permission: topologyReadPermission, resourceRef: REF }],
      { credentials: STRANGER },
    );
    expect(output).toEqual({
      runs: [
        expect.objectContaining({
          id: 'run-1',
          status: 'pending',
          actor: 'user:default/owner',
        }),
      ],
    });
    expect((output as any).runs[0].plan).toBeUndefined();
  });
});
