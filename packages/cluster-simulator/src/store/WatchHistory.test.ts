import { WatchHistory } from './WatchHistory';

describe('WatchHistory', () => {
  it('returns events after a resourceVersion', () => {
    const h = new WatchHistory<string>(10);
    for (let rv = 1; rv <= 5; rv++) h.push(rv, `e${rv}`);
    expect(h.since(3)).toEqual(['e4', 'e5']);
    expect(h.since(5)).toEqual([]);
    expect(h.since(0)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
  });

  it('forgets the oldest events when full and reports expired versions', () => {
    const h = new WatchHistory<string>(3);
    for (let rv = 1; rv <= 6; rv++) h.push(rv, `e${rv}`);
    expect(h.since(3)).toEqual(['e4', 'e5', 'e6']);
    expect(h.since(2)).toBeUndefined();
    expect(h.floor).toBe(3);
  });

  it('compacts up to a version', () => {
    const h = new WatchHistory<string>(10);
    for (let rv = 1; rv <= 4; rv++) h.push(rv, `e${rv}`);
    h.compact(4);
    expect(h.since(3)).toBeUndefined();
    expect(h.since(4)).toEqual([]);
    h.push(5, 'e5');
    expect(h.since(4)).toEqual(['e5']);
  });
});
