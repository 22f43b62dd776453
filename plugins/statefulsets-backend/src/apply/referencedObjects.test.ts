import { referencedObjects } from './referencedObjects';

describe('referencedObjects', () => {
  it('finds Secrets, ConfigMaps and claims wherever a pod template names them', () => {
    const pod = {
      containers: [
        {
          env: [
            { valueFrom: { secretKeyRef: { name: 'db-credentials' } } },
            { valueFrom: { configMapKeyRef: { name: 'db-replication' } } },
          ],
          envFrom: [{ secretRef: { name: 'db-extra' } }],
        },
      ],
      volumes: [
        { secret: { secretName: 'db-tls' } },
        { projected: { sources: [{ secret: { name: 'db-keyfile' } }] } },
        { persistentVolumeClaim: { claimName: 'db-shared' } },
      ],
    };
    expect(referencedObjects(pod)).toEqual(
      expect.arrayContaining([
        { kind: 'Secret', name: 'db-credentials' },
        { kind: 'ConfigMap', name: 'db-replication' },
        { kind: 'Secret', name: 'db-extra' },
        { kind: 'Secret', name: 'db-tls' },
        { kind: 'Secret', name: 'db-keyfile' },
        { kind: 'PersistentVolumeClaim', name: 'db-shared' },
      ]),
    );
  });

  it('finds the CA and certificate Secrets a CloudNativePG cluster names by string, whose keys sign its certificates', () => {
    const cluster = {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      spec: {
        certificates: {
          serverCASecret: 'shared-ca',
          clientCASecret: 'client-ca',
          serverAltDNSNames: ['db-eu-west.data.svc.clusterset.local'],
        },
      },
    };
    expect(referencedObjects(cluster)).toEqual([
      { kind: 'Secret', name: 'shared-ca' },
      { kind: 'Secret', name: 'client-ca' },
    ]);
  });
});
