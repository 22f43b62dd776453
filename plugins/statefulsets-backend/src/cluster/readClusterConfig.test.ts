import { ConfigReader } from '@backstage/config';
import {
  readClusterConfig,
  readPluginOptions,
  writeDetailsOf,
} from './readClusterConfig';

describe('readClusterConfig', () => {
  const config = new ConfigReader({
    kubernetes: {
      clusterLocatorMethods: [
        { type: 'catalog' },
        {
          type: 'config',
          clusters: [
            {
              name: 'eu-central',
              url: 'https://eu-central.example',
              serviceAccountToken: 'secret-token',
              caData: 'Q0E=',
            },
            {
              name: 'us-east',
              url: 'http://127.0.0.1:1',
              authProvider: 'clientCertificate',
              authMetadata: {
                clientCertData: 'Y2VydA==',
                clientKeyData: 'a2V5',
              },
              skipTLSVerify: true,
            },
          ],
        },
      ],
    },
    multiclusterStatefulsets: {
      requestTimeoutMs: 1500,
      clusters: {
        'eu-central': {
          region: 'eu-central-1',
          zones: ['a', 'b'],
          federationHost: 'karmada',
        },
      },
    },
  });

  it('reads official cluster entries with their credentials and placement', () => {
    const [central, east] = readClusterConfig(config);
    expect(central.details).toEqual(
      expect.objectContaining({
        name: 'eu-central',
        url: 'https://eu-central.example',
        caData: 'Q0E=',
        skipTLSVerify: false,
        authMetadata: {
          'kubernetes.io/auth-provider': 'serviceAccount',
          serviceAccountToken: 'secret-token',
        },
      }),
    );
    expect(central.info).toEqual({
      name: 'eu-central',
      title: undefined,
      region: 'eu-central-1',
      zones: ['a', 'b'],
      federationHost: 'karmada',
    });
    expect(east.details.authMetadata['kubernetes.io/auth-provider']).toBe(
      'clientCertificate',
    );
    expect(east.info.region).toBeUndefined();
  });

  it('gives writes their own credentials when a cluster has a write entry', () => {
    const withWrite = new ConfigReader({
      kubernetes: config.get('kubernetes'),
      multiclusterStatefulsets: {
        clusters: {
          'eu-central': {
            write: {
              authProvider: 'serviceAccount',
              serviceAccountToken: 'write-token',
            },
          },
        },
      },
    });
    const [central, east] = readClusterConfig(withWrite);
    expect(central.details.authMetadata.serviceAccountToken).toBe(
      'secret-token',
    );
    expect(central.write).toEqual({
      ...central.details,
      authMetadata: {
        'kubernetes.io/auth-provider': 'serviceAccount',
        serviceAccountToken: 'write-token',
      },
    });
    expect(writeDetailsOf(central)).toBe(central.write);
    expect(east.write).toBeUndefined();
    expect(writeDetailsOf(east)).toBe(east.details);
  });

  it("reads AWS and OIDC settings as the official plugin does, and a cluster's own backend credentials", () => {
    const [eks, gke] = readClusterConfig(
      new ConfigReader({
        kubernetes: {
          clusterLocatorMethods: [
            {
              type: 'config',
              clusters: [
                {
                  name: 'eks',
                  url: 'https://eks.example',
                  authProvider: 'aws',
                  assumeRole: 'arn:aws:iam::1:role/reader',
                  externalId: 'ext-1',
                  authMetadata: { 'kubernetes.io/x-k8s-aws-id': 'orders' },
                },
                {
                  name: 'gke',
                  url: 'https://gke.example',
                  authProvider: 'oidc',
                  oidcTokenProvider: 'okta',
                },
              ],
            },
          ],
        },
        multiclusterStatefulsets: {
          clusters: {
            gke: {
              auth: {
                authProvider: 'googleServiceAccount',
              },
            },
          },
        },
      }),
    );
    expect(eks.details.authMetadata).toEqual({
      'kubernetes.io/auth-provider': 'aws',
      'kubernetes.io/aws-assume-role': 'arn:aws:iam::1:role/reader',
      'kubernetes.io/aws-external-id': 'ext-1',
      'kubernetes.io/x-k8s-aws-id': 'orders',
    });
    expect(gke.details.authMetadata).toEqual({
      'kubernetes.io/auth-provider': 'googleServiceAccount',
    });
    expect(writeDetailsOf(gke)).toBe(gke.details);
  });

  it('applies option defaults', () => {
    expect(readPluginOptions(config).requestTimeoutMs).toBe(1500);
    expect(readPluginOptions(new ConfigReader({})).requestTimeoutMs).toBe(5000);
  });
});
