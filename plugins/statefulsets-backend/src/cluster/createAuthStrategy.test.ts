import { mockServices } from '@backstage/backend-test-utils';
import {
  AuthenticationStrategy,
  ClusterDetails,
} from '@backstage/plugin-kubernetes-node';
import { clusterAuthProblems, createAuthStrategy } from './createAuthStrategy';

function cluster(
  provider: string,
  metadata: Record<string, string> = {},
): ClusterDetails {
  return {
    name: 'eu-central',
    url: 'https://eu-central.example',
    authMetadata: { 'kubernetes.io/auth-provider': provider, ...metadata },
  };
}

describe('createAuthStrategy', () => {
  const strategy = createAuthStrategy({ logger: mockServices.logger.mock() });

  it('answers serviceAccount from the configured token', async () => {
    await expect(
      strategy.getCredential(
        cluster('serviceAccount', { serviceAccountToken: 'abc' }),
        {},
      ),
    ).resolves.toEqual({ type: 'bearer token', token: 'abc' });
  });

  it("signs an EKS token with the official AWS strategy, for the cluster's id and assumed role", async () => {
    const saved = { ...process.env };
    process.env.AWS_ACCESS_KEY_ID = 'AKIAEXAMPLEKEY';
    process.env.AWS_SECRET_ACCESS_KEY = 'not-a-real-secret';
    process.env.AWS_REGION = 'eu-central-1';
    try {
      const credential = await strategy.getCredential(
        cluster('aws', { 'kubernetes.io/x-k8s-aws-id': 'orders-eks' }),
        {},
      );
      expect(credential.type).toBe('bearer token');
      const token = (credential as { token: string }).token;
      expect(token).toMatch(/^k8s-aws-v1\./);
      const url = new URL(
        Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString(),
      );
      expect(url.host).toBe('sts.eu-central-1.amazonaws.com');
      expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
      expect(url.searchParams.get('X-Amz-Credential')).toMatch(
        /^AKIAEXAMPLEKEY\//,
      );
      expect(url.searchParams.get('X-Amz-SignedHeaders')).toContain(
        'x-k8s-aws-id',
      );
    } finally {
      process.env = saved;
    }
  });

  it.each(['google', 'aks', 'oidc'])(
    'refuses the browser-token provider %s with what to configure instead',
    async provider => {
      await expect(
        strategy.getCredential(cluster(provider), {}),
      ).rejects.toThrow(
        `cluster eu-central uses authProvider '${provider}', which authenticates with the signed-in user's token from the browser`,
      );
      await expect(
        strategy.getCredential(cluster(provider), {}),
      ).rejects.toThrow('multiclusterStatefulsets.clusters.eu-central.auth');
    },
  );

  it('uses a strategy a module added, over a built-in one of the same name', async () => {
    const vault: AuthenticationStrategy = {
      getCredential: async () => ({
        type: 'bearer token',
        token: 'from-vault',
      }),
      validateCluster: () => [],
      presentAuthMetadata: () => ({}),
    };
    const withAdded = createAuthStrategy({
      added: new Map([
        ['vault', vault],
        ['serviceAccount', vault],
      ]),
    });
    for (const provider of ['vault', 'serviceAccount']) {
      await expect(
        withAdded.getCredential(
          cluster(provider, { serviceAccountToken: 'abc' }),
          {},
        ),
      ).resolves.toEqual({ type: 'bearer token', token: 'from-vault' });
    }
  });

  it('names each cluster whose auth cannot work, and passes the ones that can', () => {
    const problems = clusterAuthProblems(
      [
        { name: 'ok', authMetadata: cluster('serviceAccount').authMetadata },
        { name: 'gke', authMetadata: cluster('google').authMetadata },
        {
          name: 'certs',
          authMetadata: cluster('clientCertificate').authMetadata,
        },
        { name: 'typo', authMetadata: cluster('servceAccount').authMetadata },
      ],
      strategy,
    );
    expect(problems).toEqual([
      expect.stringMatching(/^cluster gke uses authProvider 'google'/),
      'cluster certs: clientCertData and clientKeyData are required',
      expect.stringMatching(/^cluster typo: authProvider "servceAccount"/),
    ]);
  });
});
