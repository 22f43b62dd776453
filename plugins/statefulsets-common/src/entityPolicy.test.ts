import { globMatch, readEntityPolicy, regionAllowed } from './entityPolicy';

describe('readEntityPolicy', () => {
  it('applies defaults when annotations are missing', () => {
    expect(readEntityPolicy(undefined)).toEqual({
      engine: 'generic',
      strategy: 'active-passive',
      traffic: undefined,
      maxFailoverLagSeconds: 5,
      fenceBudgetSeconds: 15,
      allowedRegions: [],
    });
  });

  it('reads the fence budget and refuses one out of range with how to fix it', () => {
    expect(
      readEntityPolicy({ 'multicluster-statefulsets/fence-budget': '40' })
        .fenceBudgetSeconds,
    ).toBe(40);
    const bad = readEntityPolicy({
      'multicluster-statefulsets/fence-budget': '0',
    });
    expect(bad.fenceBudgetSeconds).toBe(15);
    expect(bad.problems).toEqual([
      'multicluster-statefulsets/fence-budget must be a number of seconds from 1 to 3600 (got "0"); the default 15 s applies',
    ]);
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

  it('does not read an over-long annotation and says which one to shorten', () => {
    const policy = readEntityPolicy({
      'multicluster-statefulsets/allowed-regions': 'eu-*,'.repeat(1000),
      'multicluster-statefulsets/engine': 'x'.repeat(300),
      'multicluster-statefulsets/max-failover-lag': '12',
    });
    expect(policy.allowedRegions).toEqual([]);
    expect(policy.engine).toBe('generic');
    expect(policy.maxFailoverLagSeconds).toBe(12);
    expect(policy.problems).toEqual([
      'annotation multicluster-statefulsets/engine is 300 characters; at most 253 are read — shorten it',
      'annotation multicluster-statefulsets/allowed-regions is 5000 characters; at most 1024 are read — shorten it',
    ]);
  });

  it('reads at most 32 region patterns', () => {
    const patterns = Array.from({ length: 33 }, (_, i) => `r${i}`).join(',');
    const policy = readEntityPolicy({
      'multicluster-statefulsets/allowed-regions': patterns,
    });
    expect(policy.allowedRegions).toEqual([]);
    expect(policy.problems).toEqual([
      'annotation multicluster-statefulsets/allowed-regions lists 33 patterns; at most 32 are read — merge them with * wildcards',
    ]);
    const fits = readEntityPolicy({
      'multicluster-statefulsets/allowed-regions': `${'x,'.repeat(31)}eu-*`,
    });
    expect(fits.allowedRegions).toHaveLength(32);
    expect(fits.problems).toBeUndefined();
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
    ['EU-west-1', ['eu-*'], false],
    ['eu-west-1', ['*'], true],
    ['', ['*'], true],
    ['', ['eu-*'], false],
    ['eu-west-1', ['*-west-*'], true],
    ['eu-west-1', ['*-east-*'], false],
    ['eu-west-1', ['eu-west-1*'], true],
    ['eu-west-1', ['eu-west-'], false],
    ['eu-west-1', ['**west**1'], true],
    ['eu-west-12', ['eu-*-1'], false],
    ['aaa-b', ['*a-b'], true],
    ['mississippi', ['m*iss*ppi'], true],
    ['mississippi', ['m*iss*ppx'], false],
    ['a(b)+c', ['a(b)+*'], true],
    ['abc', ['a.c'], false],
  ])('%s against %j is %s', (region, patterns, expected) => {
    expect(regionAllowed(region, patterns as string[])).toBe(expected);
  });
});

describe('globMatch', () => {
  it('answers many wildcards against a long non-matching region without backtracking', () => {
    const pattern = `${'*a'.repeat(40)}b`;
    const region = 'a'.repeat(200);
    const started = performance.now();
    expect(globMatch(pattern, region)).toBe(false);
    expect(regionAllowed(region, [pattern, `${'*'.repeat(40)}z`])).toBe(false);
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('matches a pattern of only wildcards against anything', () => {
    expect(globMatch('*'.repeat(40), 'x'.repeat(200))).toBe(true);
  });
});
