import {
  LabelSelectorError,
  matchesLabels,
  parseLabelSelector,
} from './labelSelector';

describe('label selectors', () => {
  const labels = {
    'backstage.io/kubernetes-id': 'orders-db',
    tier: 'db',
    generation: '3',
  };
  const match = (selector: string) =>
    matchesLabels(parseLabelSelector(selector), labels);

  it.each([
    ['backstage.io/kubernetes-id=orders-db', true],
    ['backstage.io/kubernetes-id==orders-db', true],
    ['backstage.io/kubernetes-id=billing-db', false],
    ['tier!=db', false],
    ['tier!=cache', true],
    ['missing!=x', true],
    ['tier in (db, cache)', true],
    ['tier notin (db,cache)', false],
    ['tier', true],
    ['!tier', false],
    ['!missing', true],
    ['generation>2', true],
    ['generation<3', false],
    ['tier=db,backstage.io/kubernetes-id in (orders-db)', true],
    ['tier=db, missing', false],
    ['', true],
  ])('%s matches: %s', (selector, expected) => {
    expect(match(selector)).toBe(expected);
  });

  it('names the key an equality fixes, for the label index', () => {
    expect(
      parseLabelSelector('a=1,b in (2),c in (3,4),d!=5').equalities,
    ).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
  });

  it.each([
    ['a=b=c', 'is not a label value'],
    ['a in (b', 'is not a label key'],
    ['a,,b', 'empty requirement'],
    ['Bad_Key/x=1', 'is not a label key'],
    ['a>x', 'is not an integer'],
  ])('refuses %s as the API server would', (selector, problem) => {
    expect(() => parseLabelSelector(selector)).toThrow(LabelSelectorError);
    expect(() => parseLabelSelector(selector)).toThrow(problem);
  });
});
