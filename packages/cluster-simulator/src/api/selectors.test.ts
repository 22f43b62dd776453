import {
  SelectorError,
  formatLabelSelector,
  fromSelectorObject,
  labelSelectorString,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  unsupportedField,
} from './selectors';

const labels = {
  app: 'orders',
  tier: 'db',
  'backstage.io/kubernetes-id': 'orders-db',
};

describe('label selectors', () => {
  it.each([
    ['app=orders', true],
    ['app==orders', true],
    ['app=other', false],
    ['app!=other', true],
    ['missing!=x', true],
    ['tier in (db,cache)', true],
    ['tier in (cache)', false],
    ['tier notin (cache)', true],
    ['missing notin (cache)', true],
    ['tier', true],
    ['missing', false],
    ['!missing', true],
    ['!tier', false],
    ['app=orders,tier in (db), !missing', true],
    ['backstage.io/kubernetes-id=orders-db', true],
    ['', true],
  ])('%s → %s', (sel, expected) => {
    expect(matchesLabels(parseLabelSelector(sel), labels)).toBe(expected);
  });

  it('rejects malformed keys', () => {
    expect(() => parseLabelSelector('a b c')).toThrow(SelectorError);
  });

  it('converts LabelSelector objects and formats them back', () => {
    const sel = fromSelectorObject({
      matchLabels: { app: 'orders' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['db'] },
        { key: 'gone', operator: 'DoesNotExist' },
      ],
    });
    expect(matchesLabels(sel, labels)).toBe(true);
    expect(formatLabelSelector(sel)).toBe('app=orders,tier in (db),!gone');
  });
});

describe('field selectors', () => {
  const event = {
    metadata: { name: 'e1', namespace: 'databases' },
    involvedObject: {
      kind: 'StatefulSet',
      name: 'orders-db',
      namespace: 'databases',
    },
  };

  it('matches metadata and involvedObject fields', () => {
    expect(matchesFields(parseFieldSelector('metadata.name=e1'), event)).toBe(
      true,
    );
    expect(
      matchesFields(
        parseFieldSelector(
          'involvedObject.kind=StatefulSet,involvedObject.name=orders-db',
        ),
        event,
      ),
    ).toBe(true);
    expect(
      matchesFields(
        parseFieldSelector('involvedObject.name!=orders-db'),
        event,
      ),
    ).toBe(false);
    expect(
      matchesFields(parseFieldSelector('metadata.namespace==other'), event),
    ).toBe(false);
  });

  it('reports fields a kind cannot be selected on', () => {
    const reqs = parseFieldSelector('involvedObject.name=x');
    expect(unsupportedField('Event', reqs)).toBeUndefined();
    expect(unsupportedField('ConfigMap', reqs)).toBe('involvedObject.name');
  });

  it('rejects requirements without an operator', () => {
    expect(() => parseFieldSelector('metadata.name')).toThrow(SelectorError);
  });
});

describe('labelSelectorString', () => {
  it('prints a LabelSelector as LabelSelectorAsSelector does: sorted by key', () => {
    expect(
      labelSelectorString({
        matchLabels: { 'backstage.io/kubernetes-id': 'y', app: 'x' },
      }),
    ).toBe('app=x,backstage.io/kubernetes-id=y');
    expect(
      labelSelectorString({
        matchLabels: { tier: 'db' },
        matchExpressions: [
          { key: 'zone', operator: 'NotIn', values: ['b', 'a'] },
          { key: 'env', operator: 'In', values: ['prod'] },
          { key: 'canary', operator: 'DoesNotExist' },
          { key: 'owner', operator: 'Exists' },
        ],
      }),
    ).toBe('!canary,env in (prod),owner,tier=db,zone notin (a,b)');
    expect(labelSelectorString(undefined)).toBe('');
  });

  it('round-trips through the parser', () => {
    const text = labelSelectorString({
      matchLabels: { app: 'x' },
      matchExpressions: [{ key: 'env', operator: 'In', values: ['a', 'b'] }],
    });
    const parsed = parseLabelSelector(text);
    expect(matchesLabels(parsed, { app: 'x', env: 'b' })).toBe(true);
    expect(matchesLabels(parsed, { app: 'x', env: 'c' })).toBe(false);
  });
});
