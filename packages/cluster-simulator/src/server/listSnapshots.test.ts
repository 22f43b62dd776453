import type { KubeObject } from '../controllers/types';
import { ListSnapshots } from './listSnapshots';

const obj = (name: string): KubeObject =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } } as KubeObject);
const key = (o: KubeObject) => o.metadata.name;
const names = (items: KubeObject[]) => items.map(key);

describe('ListSnapshots', () => {
  it('pages one snapshot, whatever the store holds by then', () => {
    const snaps = new ListSnapshots({ now: () => 0 });
    let live = ['a', 'b', 'c'].map(obj);
    const first = snaps.page(() => live, '7', 2, null, key);
    expect(names(first.items)).toEqual(['a', 'b']);
    expect(first.remaining).toBe(1);
    live = [obj('a'), obj('z')];
    const second = snaps.page(() => live, '9', 2, first.next!, key);
    expect(names(second.items)).toEqual(['c']);
    expect(second.resourceVersion).toBe('7');
    expect(second.next).toBeUndefined();
    expect(snaps.size).toBe(0);
  });

  it('keeps no snapshot for a list that fits one page', () => {
    const snaps = new ListSnapshots({ now: () => 0 });
    const r = snaps.page(() => [obj('a')], '3', 5, null, key);
    expect(r.next).toBeUndefined();
    expect(snaps.size).toBe(0);
  });

  it('expires snapshots by age with 410 Expired', () => {
    let now = 0;
    const snaps = new ListSnapshots({ now: () => now, maxAgeMs: 1000 });
    const first = snaps.page(() => ['a', 'b'].map(obj), '1', 1, null, key);
    now = 1001;
    expect(() => snaps.page(() => [], '2', 1, first.next!, key)).toThrow(
      expect.objectContaining({ code: 410, reason: 'Expired' }),
    );
  });

  it('drops the oldest snapshot beyond the bound', () => {
    const snaps = new ListSnapshots({ now: () => 0, maxCount: 2 });
    const all = () => ['a', 'b'].map(obj);
    const tokens = [1, 2, 3].map(i => snaps.page(all, String(i), 1, null, key));
    expect(snaps.size).toBe(2);
    expect(() => snaps.page(all, '9', 1, tokens[0].next!, key)).toThrow(
      expect.objectContaining({ code: 410 }),
    );
    expect(names(snaps.page(all, '9', 1, tokens[2].next!, key).items)).toEqual([
      'b',
    ]);
  });

  it('refuses a token it did not write with a 400 that says what to send', () => {
    const snaps = new ListSnapshots({ now: () => 0 });
    expect(() => snaps.page(() => [], '1', 1, 'garbage', key)).toThrow(
      /invalid continue token: pass the metadata.continue/,
    );
  });
});
