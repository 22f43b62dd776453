import { demoClusters } from '../../__fixtures__/clusters';
import { goldenCases } from '../__fixtures__/cases';
import { generateManifests } from '../generateManifests';
import { KubeObject } from '../types';

interface CnpgSpec {
  certificates?: {
    serverCASecret?: string;
    clientCASecret?: string;
    serverTLSSecret?: string;
    replicationTLSSecret?: string;
    serverAltDNSNames?: string[];
  };
  replica: { self: string; primary: string; source: string };
  bootstrap: { pg_basebackup?: { source: string } };
  externalClusters: Array<{
    name: string;
    connectionParameters: Record<string, string>;
    sslKey: { name: string; key: string };
    sslCert: { name: string; key: string };
    sslRootCert: { name: string; key: string };
  }>;
}

const postgresCases = goldenCases.filter(
  c => c.request.engine === 'postgresql',
);

// What a replica cluster needs to really connect: checked over the generated
// output of every PostgreSQL golden case.
describe.each(postgresCases.map(c => [c.id, c] as const))('%s', (_id, c) => {
  const result = generateManifests(c.request, demoClusters);
  const name = c.request.name;
  const inCluster = (cluster: string, kind: string, objectName: string) =>
    result.objects.find(
      o =>
        o.path.startsWith(`clusters/${cluster}/`) &&
        o.object.kind === kind &&
        o.object.metadata.name === objectName,
    )?.object;
  // Each cluster's Cluster, under the name the others list it by.
  const byPeerName = new Map(
    c.request.clusters.map(p => [
      `${name}-${p.name}`,
      inCluster(p.name, 'Cluster', name)!.spec as CnpgSpec,
    ]),
  );
  const specs = [...byPeerName.values()];
  const { serverCASecret, clientCASecret = serverCASecret } =
    c.request.postgresql!;

  it('connects to each remote through a name on its server certificate, verifying it', () => {
    for (const spec of specs) {
      for (const ext of spec.externalClusters) {
        const remote = byPeerName.get(ext.name)!;
        expect(ext.connectionParameters.sslmode).toBe('verify-full');
        expect(remote.certificates?.serverAltDNSNames).toContain(
          ext.connectionParameters.host,
        );
      }
    }
  });

  it('issues every certificate from the CA all clusters share', () => {
    for (const spec of specs) {
      // No leaf Secrets of its own: the operator issues them from the shared
      // CA, naming serverAltDNSNames on the server certificate.
      expect(spec.certificates).toMatchObject({
        serverCASecret,
        clientCASecret,
      });
      expect(spec.certificates?.serverTLSSecret).toBeUndefined();
      expect(spec.certificates?.replicationTLSSecret).toBeUndefined();
      for (const ext of spec.externalClusters) {
        expect(ext.sslRootCert).toEqual({
          name: serverCASecret,
          key: 'ca.crt',
        });
        expect(ext.connectionParameters.user).toBe('streaming_replica');
        // The operator's streaming_replica certificate, from the client CA.
        expect([ext.sslCert, ext.sslKey]).toEqual([
          { name: `${name}-replication`, key: 'tls.crt' },
          { name: `${name}-replication`, key: 'tls.key' },
        ]);
      }
    }
  });

  it('bootstraps and follows replicas from a cluster it lists', () => {
    for (const spec of specs) {
      const listed = spec.externalClusters.map(e => e.name);
      expect(listed).toEqual(expect.arrayContaining([spec.replica.source]));
      const base = spec.bootstrap.pg_basebackup?.source;
      expect(base === undefined || listed.includes(base)).toBe(true);
    }
  });

  it("reaches the remote's primary on CloudNativePG's port through the per-cluster Service", () => {
    for (const p of c.request.clusters) {
      const svc = inCluster(p.name, 'Service', `${name}-${p.name}`) as
        | (KubeObject & { spec: { selector: object; ports: object[] } })
        | undefined;
      expect(svc?.spec.selector).toEqual({
        'cnpg.io/cluster': name,
        'cnpg.io/instanceRole': 'primary',
      });
      expect(svc?.spec.ports).toEqual([
        expect.objectContaining({ targetPort: 5432 }),
      ]);
    }
  });
});

describe('a single PostgreSQL cluster without a shared CA', () => {
  it("keeps the operator's own certificates", () => {
    const request = {
      ...postgresCases[0].request,
      clusters: [postgresCases[0].request.clusters[0]],
      postgresql: undefined,
    };
    const cluster = generateManifests(request, demoClusters).objects.find(
      o => o.object.kind === 'Cluster',
    )!.object.spec as CnpgSpec;
    expect(cluster.certificates?.serverCASecret).toBeUndefined();
    expect(cluster.externalClusters[0].sslRootCert.name).toBe(
      `${request.name}-ca`,
    );
  });
});
