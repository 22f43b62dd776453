import { ReplicationLink } from '@multicluster/backstage-plugin-statefulsets-common';
import { ConfigReader } from '@backstage/config';
import { downsample, LagHistory, readLagHistoryOptions } from './LagHistory';

const T0 = Date.parse('2026-12-01T10:00:00Z');

function link(lagSeconds: number | null, to = 'eu-west'): ReplicationLink {
  return {
    from: 'eu-central',
    to,
    workload: 'orders-db',
    lagSeconds,
    healthy: lagSeconds !== null,
    provider: 'annotation',
  };
}

function clock() {
  let now = T0;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('LagHistory', () => {
  it('keeps one sample per link every 10 s at most', () => {
    const time = clock();
    const history = LagHistory.create({ now: time.now });
    history.record('component:default/orders', [link(1.5)]);
    time.advance(4_000);
    history.record('component:default/orders', [link(9)]);
    time.advance(6_000);
    history.record('component:default/orders', [link(null)]);
    expect(
      history.read('component:default/orders', link(0), { since: 0 }),
    ).toEqual([
      { t: T0, lagSeconds: 1.5 },
      { t: T0 + 10_000, lagSeconds: null },
    ]);
  });

  it('holds a day per link and drops the oldest sample beyond it', () => {
    const time = clock();
    const history = LagHistory.create({
      now: time.now,
      minIntervalMs: 1000,
      retentionMs: 100_000,
    });
    expect(history.samplesPerLink).toBe(100);
    for (let i = 0; i < 250; i++) {
      history.record('component:default/orders', [link(i)]);
      time.advance(1000);
    }
    const samples = history.read('component:default/orders', link(0), {
      since: 0,
    });
    expect(samples).toHaveLength(100);
    expect(samples[0]).toEqual({ t: T0 + 150_000, lagSeconds: 150 });
    expect(samples[99]).toEqual({ t: T0 + 249_000, lagSeconds: 249 });
  });

  it('answers only the samples inside the window, oldest first', () => {
    const time = clock();
    const history = LagHistory.create({ now: time.now });
    for (let i = 0; i < 10; i++) {
      history.record('component:default/orders', [link(i)]);
      time.advance(10_000);
    }
    const samples = history.read('component:default/orders', link(0), {
      since: T0 + 70_000,
    });
    expect(samples.map(s => s.lagSeconds)).toEqual([7, 8, 9]);
    expect(
      history.read('component:default/other', link(0), { since: 0 }),
    ).toEqual([]);
    expect(
      history.read('component:default/orders', link(0, 'us-east'), {
        since: 0,
      }),
    ).toEqual([]);
  });

  it('evicts the entity viewed least recently when the link bound is reached', () => {
    const time = clock();
    const history = LagHistory.create({ now: time.now, maxLinks: 2 });
    history.record('component:default/a', [link(1)]);
    time.advance(1000);
    history.record('component:default/b', [link(2)]);
    time.advance(1000);
    // a is looked at, so b is now the one viewed least recently.
    history.read('component:default/a', link(0), { since: 0 });
    time.advance(1000);
    history.record('component:default/c', [link(3)]);
    expect(history.linkCount).toBe(2);
    expect(history.read('component:default/b', link(0), { since: 0 })).toEqual(
      [],
    );
    expect(
      history.read('component:default/a', link(0), { since: 0 }),
    ).toHaveLength(1);
    expect(
      history.read('component:default/c', link(0), { since: 0 }),
    ).toHaveLength(1);
  });

  it('never holds more links than the bound, even for one entity', () => {
    const history = LagHistory.create({ maxLinks: 2 });
    history.record('component:default/a', [
      link(1, 'x'),
      link(1, 'y'),
      link(1, 'z'),
    ]);
    expect(history.linkCount).toBe(2);
  });

  it('forgets a link with no sample for longer than the retention', () => {
    const time = clock();
    const history = LagHistory.create({
      now: time.now,
      retentionMs: 60_000,
    });
    history.record('component:default/a', [link(1, 'x')]);
    time.advance(61_000);
    // After a failover the link runs the other way; the old one ages out.
    history.record('component:default/a', [link(1, 'y')]);
    expect(history.linkCount).toBe(1);
  });

  it('refuses a bound that keeps nothing', () => {
    expect(() => LagHistory.create({ maxLinks: 0 })).toThrow(/maxLinks/);
  });
});

describe('downsample', () => {
  it('keeps the largest lag of each bucket and unknown only for an unknown bucket', () => {
    expect(
      downsample(
        [
          { t: 0, lagSeconds: 1 },
          { t: 10, lagSeconds: 7 },
          { t: 20, lagSeconds: null },
          { t: 60, lagSeconds: null },
          { t: 70, lagSeconds: null },
          { t: 120, lagSeconds: null },
          { t: 130, lagSeconds: 2 },
        ],
        60,
      ),
    ).toEqual([
      { t: 10, lagSeconds: 7 },
      { t: 60, lagSeconds: null },
      { t: 130, lagSeconds: 2 },
    ]);
  });
});

describe('readLagHistoryOptions', () => {
  const read = (lagHistory: { maxLinks: number }) =>
    readLagHistoryOptions(
      new ConfigReader({ multiclusterStatefulsets: { lagHistory } }),
    );

  it('reads the link bound, absent by default', () => {
    expect(read({ maxLinks: 50 })).toEqual({ maxLinks: 50 });
    expect(readLagHistoryOptions(new ConfigReader({}))).toEqual({
      maxLinks: undefined,
    });
  });

  it('refuses a bound that is not a whole number of at least 1', () => {
    expect(() => read({ maxLinks: 0 })).toThrow(
      'multiclusterStatefulsets.lagHistory.maxLinks must be a whole number of at least 1, not 0',
    );
    expect(() => read({ maxLinks: 2.5 })).toThrow(/whole number/);
  });
});
