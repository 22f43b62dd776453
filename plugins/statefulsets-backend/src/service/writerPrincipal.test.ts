import { mockCredentials } from '@backstage/backend-test-utils';
import { NotAllowedError } from '@backstage/errors';
import { requireWriter } from './writerPrincipal';

describe('requireWriter', () => {
  it('lets a user write as themselves', () => {
    expect(requireWriter(mockCredentials.user('user:default/ann'), [])).toBe(
      'user:default/ann',
    );
  });

  it('refuses a service that the configuration does not name', () => {
    expect(() =>
      requireWriter(mockCredentials.service('external:ci-bot'), []),
    ).toThrow(NotAllowedError);
    expect(() =>
      requireWriter(mockCredentials.service('external:ci-bot'), []),
    ).toThrow(/multiclusterStatefulsets.writers.allowedServices/);
  });

  it('lets a named service write', () => {
    expect(
      requireWriter(mockCredentials.service('external:ci-bot'), [
        'external:ci-bot',
      ]),
    ).toBe('external:ci-bot');
  });
});
