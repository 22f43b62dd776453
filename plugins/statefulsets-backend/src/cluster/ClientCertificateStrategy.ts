/*
 * Authenticates with an x509 client certificate from the cluster's
 * `authMetadata` (`clientCertData`/`clientKeyData`, base64 PEM as in a
 * kubeconfig). The official plugin ships no such strategy for config clusters.
 */
import {
  AuthenticationStrategy,
  AuthMetadata,
  ClusterDetails,
  KubernetesCredential,
} from '@backstage/plugin-kubernetes-node';

/** x509 client certificate authentication for config-located clusters. */
export class ClientCertificateStrategy implements AuthenticationStrategy {
  async getCredential(cluster: ClusterDetails): Promise<KubernetesCredential> {
    const cert = cluster.authMetadata.clientCertData;
    const key = cluster.authMetadata.clientKeyData;
    if (!cert || !key) {
      throw new Error(
        `cluster ${cluster.name} lacks clientCertData/clientKeyData`,
      );
    }
    return {
      type: 'x509 client certificate',
      cert: Buffer.from(cert, 'base64').toString('utf8'),
      key: Buffer.from(key, 'base64').toString('utf8'),
    };
  }

  validateCluster(authMetadata: AuthMetadata): Error[] {
    return authMetadata.clientCertData && authMetadata.clientKeyData
      ? []
      : [new Error('clientCertData and clientKeyData are required')];
  }

  presentAuthMetadata(): AuthMetadata {
    return {};
  }
}
