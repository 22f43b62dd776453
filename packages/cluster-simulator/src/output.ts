/*
 * What the CLI writes for clients: a kubeconfig with one context per cluster
 * and the app-config fragment the portal's Kubernetes plugins read.
 */
import { stringify } from 'yaml';

/** A started cluster as clients reach it. */
export interface ClusterEndpoint {
  name: string;
  url: string;
  /** When set, the kubeconfig uses it (kubectl sends tokens over TLS only). */
  httpsUrl?: string;
  token: string;
  /** When set, the portal's `kubernetes:` entry reads with it. */
  readOnlyToken?: string;
  /** When set, the portal writes with it (`multiclusterStatefulsets.clusters.<name>.write`). */
  writeToken?: string;
  /** RBAC on: the portal's writes impersonate the user they act for. */
  rbac?: boolean;
  region: string;
  zones: string[];
  federationHost?: string;
}

/**
 * A kubeconfig with bearer tokens usable by kubectl and client-node. It
 * points at the HTTPS side when there is one: kubectl never sends a token
 * over plain HTTP. The loopback certificate is self-signed, hence no verify.
 */
export function kubeconfigFor(clusters: ClusterEndpoint[]): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: clusters.map(c => ({
      name: c.name,
      cluster: c.httpsUrl
        ? { server: c.httpsUrl, 'insecure-skip-tls-verify': true }
        : { server: c.url },
    })),
    users: clusters.map(c => ({
      name: `${c.name}-admin`,
      user: { token: c.token },
    })),
    contexts: clusters.map(c => ({
      name: c.name,
      context: { cluster: c.name, user: `${c.name}-admin` },
    })),
    'current-context': clusters[0]?.name ?? '',
  });
}

/**
 * The app-config fragment: the official plugin's cluster entries (which
 * accept no extra keys under strict config checks) and a separate
 * `multiclusterStatefulsets.clusters` block for region, zones and federation.
 * A cluster with a read-only token gets it in the `kubernetes:` entry, which
 * the Kubernetes plugin's proxy shares, and its write token (the writer
 * user's, else the cluster's own) in this plugin's `write` entry; when the
 * writer's cluster enforces RBAC, writes impersonate the portal's user.
 */
export function appConfigFor(
  clusters: ClusterEndpoint[],
): Record<string, unknown> {
  return {
    kubernetes: {
      serviceLocatorMethod: { type: 'multiTenant' },
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: clusters.map(c => ({
            name: c.name,
            url: c.url,
            authProvider: 'serviceAccount',
            serviceAccountToken: c.readOnlyToken ?? c.token,
            skipTLSVerify: true,
            skipMetricsLookup: false,
          })),
        },
      ],
    },
    multiclusterStatefulsets: {
      ...(clusters.some(c => c.rbac && c.writeToken)
        ? { writes: { impersonation: { enabled: true } } }
        : {}),
      clusters: Object.fromEntries(
        clusters.map(c => [
          c.name,
          {
            region: c.region,
            zones: c.zones,
            ...(c.federationHost ? { federationHost: c.federationHost } : {}),
            ...(c.readOnlyToken || c.writeToken
              ? {
                  write: {
                    authProvider: 'serviceAccount',
                    serviceAccountToken: c.writeToken ?? c.token,
                  },
                }
              : {}),
          },
        ]),
      ),
    },
  };
}

/** The app-config fragment as YAML. */
export function appConfigYaml(clusters: ClusterEndpoint[]): string {
  return stringify(appConfigFor(clusters));
}
