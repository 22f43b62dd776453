import { appConfigFor, ClusterEndpoint } from './output';

const base: ClusterEndpoint = {
  name: 'eu-west',
  url: 'http://127.0.0.1:16444',
  token: 'admin-token',
  region: 'eu-west-1',
  zones: ['eu-west-1a'],
};

const entryOf = (config: any) =>
  config.kubernetes.clusterLocatorMethods[0].clusters[0];

describe('appConfigFor', () => {
  it('gives one token to both the kubernetes: entry and writes when there is no other', () => {
    const config: any = appConfigFor([base]);
    expect(entryOf(config).serviceAccountToken).toBe('admin-token');
    expect(
      config.multiclusterStatefulsets.clusters['eu-west'].write,
    ).toBeUndefined();
    expect(config.multiclusterStatefulsets.writes).toBeUndefined();
  });

  it('reads with the read-only token and writes with the cluster token', () => {
    const config: any = appConfigFor([
      { ...base, readOnlyToken: 'read-token' },
    ]);
    expect(entryOf(config).serviceAccountToken).toBe('read-token');
    expect(config.multiclusterStatefulsets.clusters['eu-west'].write).toEqual({
      authProvider: 'serviceAccount',
      serviceAccountToken: 'admin-token',
    });
    expect(config.multiclusterStatefulsets.writes).toBeUndefined();
  });

  it("writes with the writer's token, impersonating users when RBAC is on", () => {
    const config: any = appConfigFor([
      {
        ...base,
        readOnlyToken: 'read-token',
        writeToken: 'write-token',
        rbac: true,
      },
    ]);
    expect(entryOf(config).serviceAccountToken).toBe('read-token');
    expect(config.multiclusterStatefulsets.clusters['eu-west']).toEqual({
      region: 'eu-west-1',
      zones: ['eu-west-1a'],
      write: {
        authProvider: 'serviceAccount',
        serviceAccountToken: 'write-token',
      },
    });
    expect(config.multiclusterStatefulsets.writes).toEqual({
      impersonation: { enabled: true },
    });
  });
});
