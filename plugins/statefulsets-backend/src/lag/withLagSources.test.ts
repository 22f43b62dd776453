import { LagSource } from '@multicluster/backstage-plugin-statefulsets-node';
import { withLagSources } from './withLagSources';

const source = (id: string): LagSource => ({
  id,
  supportsEngine: () => true,
  readLag: async () => ({ seconds: 0 }),
});

describe('withLagSources', () => {
  it('puts the first source outermost, so it is consulted first', () => {
    const wrapped = withLagSources(
      'provider',
      [source('module'), source('prometheus')],
      (inner, s) => `${s.id}(${inner})`,
    );
    expect(wrapped).toBe('module(prometheus(provider))');
  });

  it('leaves the provider alone without sources', () => {
    expect(withLagSources('provider', [], () => 'wrapped')).toBe('provider');
  });
});
