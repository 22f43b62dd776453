import { InformerChange } from './Informer';
import { KINDS } from './kinds';
import { parseLabelSelector } from './labelSelector';
import { changeAffects, planScope } from './scopePlan';

const kind = (key: string) => KINDS.find(k => k.key === key)!;
const scope = {
  namespace: 'databases',
  labelSelector: 'backstage.io/kubernetes-id=orders-db',
  routeNamespace: 'routing',
};
const selector = parseLabelSelector(scope.labelSelector);
const mine = { 'backstage.io/kubernetes-id': 'orders-db' };
const theirs = { 'backstage.io/kubernetes-id': 'billing-db' };

function change(
  key: string,
  namespace: string | undefined,
  labels?: Array<Record<string, string> | undefined>,
): InformerChange {
  return {
    kind: kind(key),
    namespace,
    object: labels && { namespace, labels },
  };
}

describe('planScope', () => {
  it('reads selector kinds by selector, claims and the route namespace whole, cluster kinds once', () => {
    const plan = planScope(scope, KINDS);
    const find = (key: string, ns?: string) =>
      plan.filter(s => s.kind.key === key && s.namespace === ns);
    expect(find('statefulSets', 'databases')).toEqual([
      expect.objectContaining({ bySelector: true, required: true }),
    ]);
    expect(find('persistentVolumeClaims', 'databases')).toEqual([
      expect.objectContaining({ bySelector: false, required: false }),
    ]);
    expect(find('virtualServices', 'routing')).toEqual([
      expect.objectContaining({ bySelector: false, required: false }),
    ]);
    expect(find('nodes', undefined)).toEqual([
      expect.objectContaining({ bySelector: false, required: true }),
    ]);
    // Every source asks for a (kind, namespace) pair no entity-specific part changes.
    expect(plan.every(s => !('labelSelector' in s))).toBe(true);
  });

  it('keeps only the workloads’ namespaces of claims when the entity has no namespace', () => {
    const plan = planScope({ labelSelector: scope.labelSelector }, KINDS);
    expect(plan.find(s => s.kind.key === 'persistentVolumeClaims')).toEqual(
      expect.objectContaining({
        namespace: undefined,
        inWorkloadNamespaces: true,
      }),
    );
  });
});

describe('changeAffects', () => {
  it('recomputes an entity for its own objects only', () => {
    expect(
      changeAffects(
        change('pods', 'databases', [undefined, mine]),
        scope,
        selector,
      ),
    ).toBe(true);
    expect(
      changeAffects(
        change('pods', 'databases', [theirs, theirs]),
        scope,
        selector,
      ),
    ).toBe(false);
    // An object that stopped matching changed the entity too.
    expect(
      changeAffects(
        change('pods', 'databases', [mine, theirs]),
        scope,
        selector,
      ),
    ).toBe(true);
    expect(
      changeAffects(change('pods', 'elsewhere', [mine, mine]), scope, selector),
    ).toBe(false);
  });

  it('counts claims of its namespace, routes of its route namespace and cluster-scoped kinds', () => {
    expect(
      changeAffects(
        change('persistentVolumeClaims', 'databases', [theirs]),
        scope,
        selector,
      ),
    ).toBe(true);
    expect(
      changeAffects(
        change('virtualServices', 'routing', [{}]),
        scope,
        selector,
      ),
    ).toBe(true);
    expect(
      changeAffects(change('services', 'routing', [{}]), scope, selector),
    ).toBe(false);
    expect(
      changeAffects(change('nodes', undefined, [{}]), scope, selector),
    ).toBe(true);
  });

  it('tells every reader of a namespace when its informer fails or recovers', () => {
    expect(changeAffects(change('pods', 'databases'), scope, selector)).toBe(
      true,
    );
    expect(changeAffects(change('pods', 'elsewhere'), scope, selector)).toBe(
      false,
    );
    expect(changeAffects(change('pods', undefined), scope, selector)).toBe(
      true,
    );
  });
});
