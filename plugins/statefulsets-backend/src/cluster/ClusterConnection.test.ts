import { AuthenticationStrategy } from '@backstage/plugin-kubernetes-node';
import { FakeKubeApi, fakeClusterDetails } from '../__testUtils__/FakeKubeApi';
import { ClusterConnection } from './ClusterConnection';

/** A strategy handing out whatever token the issuer holds now, counting calls. */
function rotatingStrategy(issuer: { token: string; issued: number }) {
  const strategy: AuthenticationStrategy = {
    getCredential: async () => {
      issuer.issued++;
      return { type: 'bearer token', token: issuer.token };
    },
    validateCluster: () => [],
    presentAuthMetadata: () => ({}),
  };
  return strategy;
}

describe('ClusterConnection', () => {
  const api = new FakeKubeApi('first');
  let url: string;

  beforeAll(async () => {
    url = await api.start();
  });
  afterAll(() => api.stop());

  it('keeps credentials between requests and resolves them anew after the cluster refuses a rotated token', async () => {
    api.token = 'first';
    const issuer = { token: 'first', issued: 0 };
    const connection = ClusterConnection.create(
      { details: fakeClusterDetails(url), info: { name: 'c1', zones: [] } },
      rotatingStrategy(issuer),
    );
    const get = () => connection.reader.getJson('/apis', { timeoutMs: 2000 });
    await get();
    await get();
    expect(issuer.issued).toBe(1);

    // The token rotates: the cluster accepts only the new one from now on.
    api.token = 'second';
    issuer.token = 'second';
    await expect(get()).rejects.toMatchObject({ reason: 'unauthorized' });
    await expect(get()).resolves.toEqual(
      expect.objectContaining({ kind: 'APIGroupList' }),
    );
    expect(issuer.issued).toBe(2);

    // Without a write entry, writes share the read credentials.
    await expect(
      connection.writer({ timeoutMs: 2000 }).get('/apis'),
    ).resolves.toEqual(expect.objectContaining({ kind: 'APIGroupList' }));
    expect(issuer.issued).toBe(2);
  });

  it('gives writes their own credentials when the cluster has a write entry', async () => {
    api.token = 'writer';
    const issuer = { token: 'writer', issued: 0 };
    const details = fakeClusterDetails(url);
    const connection = ClusterConnection.create(
      {
        details,
        write: {
          ...details,
          authMetadata: { ...details.authMetadata, serviceAccountToken: 'w' },
        },
        info: { name: 'c1', zones: [] },
      },
      rotatingStrategy(issuer),
    );
    await connection.writer({ timeoutMs: 2000 }).get('/apis');
    await connection.reader.getJson('/apis', { timeoutMs: 2000 });
    expect(issuer.issued).toBe(2);
  });
});
