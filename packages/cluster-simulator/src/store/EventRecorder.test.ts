import { ClusterStore } from './ClusterStore';

function setup(maxEvents = 10) {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const s = new ClusterStore({
    name: 'c',
    region: 'r',
    zones: [],
    maxEvents,
    now: () => now,
  });
  const cm = s.create({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'x', namespace: 'default' },
  });
  return { s, cm, tick: (ms: number) => (now += ms) };
}

const events = (s: ClusterStore) => s.list('v1', 'Event') as any[];

describe('EventRecorder aggregation', () => {
  it('counts an identical event on the one already stored', () => {
    const { s, cm, tick } = setup();
    s.recordEvent(cm, 'Warning', 'FailedCreate', 'refused', 'sts');
    tick(10_000);
    s.recordEvent(cm, 'Warning', 'FailedCreate', 'refused', 'sts');
    s.recordEvent(cm, 'Warning', 'FailedCreate', 'refused', 'sts');
    const [ev, ...rest] = events(s);
    expect(rest).toEqual([]);
    expect(ev.count).toBe(3);
    expect(ev.firstTimestamp).not.toBe(ev.lastTimestamp);
  });

  it('keeps events apart that differ in reason, message, type or object', () => {
    const { s, cm } = setup();
    const other = s.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'y', namespace: 'default' },
    });
    s.recordEvent(cm, 'Warning', 'FailedCreate', 'refused', 'sts');
    s.recordEvent(cm, 'Warning', 'FailedCreate', 'refused again', 'sts');
    s.recordEvent(cm, 'Normal', 'FailedCreate', 'refused', 'sts');
    s.recordEvent(cm, 'Warning', 'Other', 'refused', 'sts');
    s.recordEvent(other, 'Warning', 'FailedCreate', 'refused', 'sts');
    expect(events(s).map(e => e.count)).toEqual([1, 1, 1, 1, 1]);
  });

  it('starts a new event once the aggregated one has been evicted', () => {
    const { s, cm } = setup(2);
    s.recordEvent(cm, 'Warning', 'A', 'm', 'x');
    s.recordEvent(cm, 'Normal', 'B', 'm', 'x');
    s.recordEvent(cm, 'Normal', 'C', 'm', 'x');
    s.recordEvent(cm, 'Warning', 'A', 'm', 'x');
    expect(
      events(s)
        .map(e => `${e.reason}:${e.count}`)
        .sort(),
    ).toEqual(['A:1', 'C:1']);
  });
});
