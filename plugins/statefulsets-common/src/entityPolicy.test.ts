import { readEntityPolicy, regionAllowed } from './entityPolicy';

describe('readEntityPolicy', () => {
  it('applies defaults when annotations are missing', () => {
    expect(readEntityPolicy(undefined)).toEqual({
      engine: 'generic',
      strategy: 'active-passive',
      traffic: undefined,
      maxFailoverLagSeconds: 5,
      allowedRegions: [],
    });
  });

  it('reads every annotation', () => {
    const policy = readEntityPolicy({
      'multicluster-statefulsets/engine': 'postgresql',
      'multicluster-statefulsets/strategy': 'active-active',
      'multicluster-statefulsets/traffic': 'databases/orders-db',
      'multicluster-statefulsets/max-failover-lag': '12.5',
      'multicluster-statefulsets/allowed-regions': 'eu-*, us-east-1',
    });
    expect(policy.engine).toBe('postgresql');
    expect(policy.strategy).toBe('active-active');
    expect(policy.traffic).toEqual({
      namespace: 'databases',
      name: 'orders-db',
    });
    expect(policy.maxFailoverLagSeconds).toBe(12.5);
    expect(policy.allowedRegions).toEqual(['eu-*', 'us-east-1']);
  });

  it('ignores a malformed lag bound', () => {
    expect(
      readEntityPolicy({ 'multicluster-statefulsets/max-failover-lag': 'soon' })
        .maxFailoverLagSeconds,
    ).toBe(5);
  });
});

describe('regionAllowed', () => {
  it.each([
    ['eu-west-1', ['eu-*'], true],
    ['us-east-1', ['eu-*'], false],
    ['us-east-1', [], true],
    ['eu.west', ['eu-*'], false],
    ['us-east-1', ['eu-*', 'us-east-1'], true],
  ])('%s against %j is %s', (region, patterns, expected) => {
    expect(regionAllowed(region, patterns as string[])).toBe(expected);
  });
});
