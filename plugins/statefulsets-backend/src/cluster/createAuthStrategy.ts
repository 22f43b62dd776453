/*
 * The authentication strategies used to reach clusters: the official
 * Kubernetes plugin's classes behind its DispatchStrategy (keyed by the
 * cluster's `authProvider`), plus client certificates.
 */
import {
  AnonymousStrategy,
  DispatchStrategy,
  ServiceAccountStrategy,
} from '@backstage/plugin-kubernetes-backend';
import {
  AuthenticationStrategy,
  AuthMetadata,
  ClusterDetails,
  KubernetesCredential,
} from '@backstage/plugin-kubernetes-node';
import { ClientCertificateStrategy } from './ClientCertificateStrategy';

/**
 * Service-account auth that answers from the configured token directly and
 * defers to the official strategy (the pod's mounted token) otherwise; the
 * official class loads client-node dynamically on every call even when a
 * token is configured.
 */
class ConfiguredTokenStrategy implements AuthenticationStrategy {
  readonly #fallback = new ServiceAccountStrategy();

  async getCredential(cluster: ClusterDetails): Promise<KubernetesCredential> {
    const token = cluster.authMetadata.serviceAccountToken;
    if (token) return { type: 'bearer token', token };
    return this.#fallback.getCredential(cluster);
  }

  validateCluster(): Error[] {
    return this.#fallback.validateCluster();
  }

  presentAuthMetadata(): AuthMetadata {
    return {};
  }
}

/** The strategy that picks per cluster by its `authProvider`. */
export function createAuthStrategy(): AuthenticationStrategy {
  return new DispatchStrategy({
    authStrategyMap: {
      serviceAccount: new ConfiguredTokenStrategy(),
      anonymous: new AnonymousStrategy(),
      clientCertificate: new ClientCertificateStrategy(),
    },
  });
}
