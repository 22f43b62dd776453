/*
 * A provider of this module wired to mocks: the backend plugin's answers
 * come from `respond`, its service token is `svc-token`, and the catalog
 * connection records the mutations.
 */
import { mockServices } from '@backstage/backend-test-utils';
import {
  EntityProviderConnection,
  EntityProviderMutation,
  EntityProviderRefreshOptions,
} from '@backstage/plugin-catalog-node';
import { PluginFedEntityProviderOptions } from '../PluginFedEntityProvider';

/** A JSON response of the backend plugin. */
export function jsonAnswer(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

/** Creates the provider with `create` against mocks answering with `respond()`. */
export function providerHarness<P>(
  create: (options: PluginFedEntityProviderOptions) => P,
  respond: () => Response,
) {
  const auth = mockServices.auth.mock({
    getPluginRequestToken: async () => ({ token: 'svc-token' }),
  });
  const fetchMock = jest.fn(async (_url: string, _init?: RequestInit) =>
    respond(),
  );
  const connection: jest.Mocked<EntityProviderConnection> = {
    applyMutation: jest.fn(async (_m: EntityProviderMutation) => {}),
    refresh: jest.fn(async (_o: EntityProviderRefreshOptions) => {}),
  };
  const provider = create({
    discovery: mockServices.discovery.mock({
      getBaseUrl: async id => `http://backend.test/api/${id}`,
    }),
    auth,
    logger: mockServices.logger.mock(),
    fetch: fetchMock as unknown as typeof fetch,
  });
  return { provider, auth, fetchMock, connection };
}
