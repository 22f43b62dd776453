import {
  FailoverStepDescriptions,
  FailoverStepSides,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  describeProviderSteps,
  failoverStepDescriber,
} from './stepDescriptions';
import { FailoverReplicationProvider } from './types';

const notUsed = async (): Promise<never> => {
  throw new Error('not used');
};

/** A provider failing over one workload kind; only its identity and words matter here. */
function provider(
  id: string,
  kind: string,
  extra: Partial<FailoverReplicationProvider> = {},
): FailoverReplicationProvider {
  return {
    id,
    supports: () => true,
    readReplication: async () => [],
    supportsWorkload: w => w.kind === kind,
    readLag: notUsed,
    fence: notUsed,
    unfence: notUsed,
    waitCaughtUp: notUsed,
    promote: notUsed,
    abortPromotion: notUsed,
    isPromoted: notUsed,
    markFenced: notUsed,
    verifyRoles: notUsed,
    ...extra,
  };
}

const sides: FailoverStepSides = {
  sourceCluster: 'eu-central',
  targetCluster: 'eu-west',
  sourceWorkload: {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    namespace: 'db',
    name: 'orders',
    role: 'active',
    replicas: { desired: 3, ready: 3, updated: 3 },
    ordinalsStart: 0,
    pods: [],
    volumes: [],
  },
};

const words: FailoverStepDescriptions = {
  fenceMethod: 'set read-only',
  fence: ['read_only = ON'],
  promote: ['read_only = OFF'],
  fenceOldSource: ['super_read_only = ON'],
  promoteWithoutSource: ['RESET REPLICA ALL'],
};

describe('describeProviderSteps', () => {
  it("gives the provider's own words", () => {
    const describeSteps = jest.fn(() => words);
    const p = provider('mysql', 'StatefulSet', { describeSteps });
    expect(describeProviderSteps(p, sides)).toBe(words);
    expect(describeSteps).toHaveBeenCalledWith(sides);
  });

  it('names a provider that gives none and claims no mechanism', () => {
    const described = describeProviderSteps(
      provider('vitess', 'StatefulSet'),
      sides,
    );
    expect(described).toEqual({
      fenceMethod:
        'vitess: StatefulSet db/orders in eu-central is fenced by the vitess provider (it does not describe how)',
      fence: ['StatefulSet db/orders: fenced by the vitess provider'],
      promote: ['the workload: promoted by the vitess provider'],
      fenceOldSource: ['StatefulSet db/orders: fenced by the vitess provider'],
      promoteWithoutSource: [
        'the workload: promoted by the vitess provider without the old primary',
      ],
    });
    expect(JSON.stringify(described)).not.toMatch(/scale|zero|replicas/);
  });

  it('plans a reattach for a provider without words only when it reattaches', () => {
    const p = provider('vitess', 'StatefulSet', { reattach: notUsed });
    expect(describeProviderSteps(p, sides).reattach).toEqual([
      'StatefulSet db/orders: made a replica of eu-west by the vitess provider',
    ]);
  });
});

describe('failoverStepDescriber', () => {
  const statefulSet = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    namespace: 'db',
    name: 'orders',
  };

  it('takes the words of the first provider that fails the workload over', () => {
    const describer = failoverStepDescriber(
      [
        provider('cnpg', 'Cluster', {
          describeSteps: () => ({ ...words, fenceMethod: 'cnpg' }),
        }),
        provider('mysql', 'StatefulSet', { describeSteps: () => words }),
        provider('generic', 'StatefulSet', {
          describeSteps: () => ({ ...words, fenceMethod: 'generic' }),
        }),
      ],
      statefulSet,
    );
    expect(describer?.(sides).fenceMethod).toBe('set read-only');
  });

  it('gives none when no provider fails the workload over, or there is no workload', () => {
    const providers = [provider('cnpg', 'Cluster')];
    expect(failoverStepDescriber(providers, statefulSet)).toBeUndefined();
    expect(failoverStepDescriber(providers, undefined)).toBeUndefined();
  });
});
