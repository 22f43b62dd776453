import {
  FailoverRunDetails,
  FailoverRunStep,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  exportFileName,
  fenceFigures,
  fieldLines,
  shortDuration,
  spokenDuration,
  stepOutcome,
  undoneObjects,
} from './timelineModel';

const run = (fields: Partial<FailoverRunDetails>) =>
  ({
    id: 'run-1',
    entityRef: 'component:default/orders-mysql',
    mode: 'switchover',
    steps: [],
    ...fields,
  } as FailoverRunDetails);

const step = (fields: Partial<FailoverRunStep>) =>
  ({
    index: 0,
    kind: 'fence',
    title: 'Fence eu-central',
    cluster: 'eu-central',
    status: 'succeeded',
    compensation: 'none',
    ...fields,
  } as FailoverRunStep);

describe('durations', () => {
  it.each([
    [450, '450 ms', '450 milliseconds'],
    [1, '1 ms', '1 millisecond'],
    [1000, '1.0 s', '1.0 second'],
    [12_345, '12.3 s', '12.3 seconds'],
    [125_000, '2 min 5 s', '2 minutes 5 seconds'],
    [61_000, '1 min 1 s', '1 minute 1 second'],
  ])('%i ms reads %s, spoken %s', (ms, short, spoken) => {
    expect(shortDuration(ms)).toBe(short);
    expect(spokenDuration(ms)).toBe(spoken);
  });
});

describe('stepOutcome', () => {
  it('names what the rollback did before the step’s own status', () => {
    expect(stepOutcome(step({ compensation: 'compensated' }))).toEqual({
      label: 'compensated',
      tone: 'warning',
    });
    expect(
      stepOutcome(step({ status: 'failed', compensation: 'failed' })).label,
    ).toBe('undo failed');
    expect(stepOutcome(step({ compensation: 'not-needed' })).label).toBe(
      'succeeded',
    );
    expect(stepOutcome(step({ status: 'pending' })).label).toBe('not started');
    expect(stepOutcome(step({ status: 'skipped' })).tone).toBe('neutral');
  });
});

describe('fenceFigures', () => {
  it('reads the lag and window a switchover journaled on its fence', () => {
    expect(
      fenceFigures(
        run({
          steps: [
            step({
              startedAt: '2026-12-04T10:00:01Z',
              inputs: {
                lagAtFence: 0.5,
                lagObservedAt: '2026-12-04T10:00:00Z',
                dataLossWindowSeconds: 1.5,
              },
            }),
          ],
        }),
      ),
    ).toEqual({
      lagLabel: 'Lag at fence',
      lagSeconds: 0.5,
      lagObservedAt: '2026-12-04T10:00:00Z',
      windowLabel: 'Data-loss window at fence',
      windowSeconds: 1.5,
    });
  });

  it('takes the lag as the window of a run journaled before the window was', () => {
    const figures = fenceFigures(
      run({
        mode: 'failover',
        steps: [step({ kind: 'promote', inputs: { lastKnownLag: 4 } })],
      }),
    );
    expect(figures).toMatchObject({
      lagLabel: 'Last known lag',
      windowLabel: 'Data-loss window at promotion',
      lagSeconds: 4,
      windowSeconds: 4,
    });
  });

  it('has nothing recorded before the fence ran, and nothing at all for a drain', () => {
    expect(
      fenceFigures(run({ steps: [step({ status: 'pending' })] })),
    ).toMatchObject({ lagSeconds: undefined, windowSeconds: undefined });
    expect(fenceFigures(run({ mode: 'drain' }))).toBeUndefined();
  });
});

describe('fieldLines', () => {
  it('walks nested fields and shows lists and absent fields whole', () => {
    expect(
      fieldLines({
        spec: { replicas: 3, tcp: [{ route: [{ weight: 100 }] }] },
        metadata: { annotations: { 'multicluster-statefulsets/role': null } },
      }),
    ).toEqual([
      'spec.replicas = 3',
      'spec.tcp = [{"route":[{"weight":100}]}]',
      'metadata.annotations.multicluster-statefulsets/role = absent',
    ]);
    expect(fieldLines(null)).toEqual([]);
  });
});

describe('undoneObjects', () => {
  const change = (cluster: string, extra: object) => ({
    cluster,
    object: 'VirtualService databases/orders-mysql',
    path: '/x',
    action: 'patch' as const,
    state: 'applied' as const,
    at: '2026-12-04T10:00:01Z',
    ...extra,
  });

  it('lists each object once, leaving out writes that never reached a cluster', () => {
    expect(
      undoneObjects(
        step({
          compensation: 'compensated',
          changes: [
            change('eu-central', { undo: 'undone' }),
            change('eu-central', { undo: 'undone' }),
            change('eu-west', { state: 'refused', undo: 'not-needed' }),
          ],
        }),
      ),
    ).toEqual(['VirtualService databases/orders-mysql in eu-central']);
  });

  it('lists what waits for its cluster when the undo is pending', () => {
    expect(
      undoneObjects(
        step({
          compensation: 'pending',
          changes: [
            change('eu-central', { undo: 'undone' }),
            change('eu-west', { undo: 'pending' }),
          ],
        }),
      ),
    ).toEqual(['VirtualService databases/orders-mysql in eu-west']);
  });
});

describe('exportFileName', () => {
  it('names the file after the entity and the run, safe for any file system', () => {
    expect(exportFileName(run({}))).toBe(
      'failover-run-orders-mysql-run-1.json',
    );
    expect(
      exportFileName(run({ entityRef: 'not a ref/../x', id: 'a:b' })),
    ).toBe('failover-run-not-a-ref-..-x-a-b.json');
  });
});
