/*
 * Reads the clusters this plugin talks to from the same `kubernetes:` block
 * the official Kubernetes plugin reads (`clusterLocatorMethods` of type
 * `config`), plus this plugin's per-cluster placement facts, which the
 * official cluster entry has no place for.
 */
import { Config } from '@backstage/config';
import {
  ANNOTATION_KUBERNETES_AUTH_PROVIDER,
  ANNOTATION_KUBERNETES_AWS_ASSUME_ROLE,
  ANNOTATION_KUBERNETES_AWS_EXTERNAL_ID,
  ANNOTATION_KUBERNETES_OIDC_TOKEN_PROVIDER,
} from '@backstage/plugin-kubernetes-common';
import { ClusterDetails } from '@backstage/plugin-kubernetes-node';
import {
  ClusterInfo,
  FederationHostKind,
} from '@multicluster/backstage-plugin-statefulsets-common';

/** A configured cluster: how to reach it and where it sits. */
export interface ConfiguredCluster {
  /** How reads reach it: the `kubernetes:` entry. */
  details: ClusterDetails;
  /**
   * How writes reach it, when `multiclusterStatefulsets.clusters.<name>.write`
   * gives them credentials of their own; otherwise writes use `details`.
   */
  write?: ClusterDetails;
  info: ClusterInfo;
}

/** The details writes to a cluster use. */
export function writeDetailsOf(cluster: ConfiguredCluster): ClusterDetails {
  return cluster.write ?? cluster.details;
}

/**
 * A cluster entry's auth settings, read as the official plugin reads them:
 * `authProvider`, the `serviceAccountToken`, AWS's `assumeRole` and
 * `externalId`, the `oidcTokenProvider`, and an `authMetadata` block that
 * wins over them all. Without a provider, `serviceAccount`.
 */
export function authMetadataOf(c: Config): Record<string, string> {
  const block = c.getOptional<Record<string, string>>('authMetadata') ?? {};
  const fields: Record<string, string | undefined> = {
    serviceAccountToken: c.getOptionalString('serviceAccountToken'),
    [ANNOTATION_KUBERNETES_AWS_ASSUME_ROLE]: c.getOptionalString('assumeRole'),
    [ANNOTATION_KUBERNETES_AWS_EXTERNAL_ID]: c.getOptionalString('externalId'),
    [ANNOTATION_KUBERNETES_OIDC_TOKEN_PROVIDER]:
      c.getOptionalString('oidcTokenProvider'),
  };
  const authMetadata: Record<string, string> = {
    [ANNOTATION_KUBERNETES_AUTH_PROVIDER]:
      c.getOptionalString('authProvider') ?? 'serviceAccount',
  };
  for (const [key, value] of Object.entries(fields)) {
    if (value) authMetadata[key] = value;
  }
  return { ...authMetadata, ...block };
}

/** Most informers per cluster unless configured: 28 namespaces of every kind. */
export const DEFAULT_MAX_WATCHES = 400;

/** Tunables of the plugin, with their defaults applied. */
export interface PluginOptions {
  /** Deadline of one topology request, and the timeout of every list call. */
  requestTimeoutMs: number;
  /** Informers unused for this long are stopped. */
  idleTimeoutMs: number;
  /** A watch that delivers nothing (not even a bookmark) for this long is restarted. */
  watchIdleMs: number;
  /** Most informers (open watches) per cluster; default 400. */
  maxWatchesPerCluster?: number;
  /** First and maximum retry delays of a failing informer. */
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** How long computed topologies stay in the cache service. */
  cacheTtlMs: number;
}

function readFederationHost(
  value: string | undefined,
): FederationHostKind | undefined {
  if (value === 'karmada' || value === 'kubefed') return value;
  return undefined;
}

/** Reads every `config`-located cluster of the `kubernetes:` block. */
export function readClusterConfig(config: Config): ConfiguredCluster[] {
  const methods =
    config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? [];
  const extra = config.getOptionalConfig('multiclusterStatefulsets.clusters');
  const clusters: ConfiguredCluster[] = [];
  for (const method of methods) {
    if (method.getString('type') !== 'config') continue;
    for (const c of method.getOptionalConfigArray('clusters') ?? []) {
      const name = c.getString('name');
      const placement = extra?.getOptionalConfig(name);
      // A cluster the official plugin reaches with the user's browser token
      // gets backend credentials of this plugin's own in `auth`.
      const auth = placement?.getOptionalConfig('auth');
      const details: ClusterDetails = {
        name,
        title: c.getOptionalString('title'),
        url: c.getString('url'),
        authMetadata: authMetadataOf(auth ?? c),
        skipTLSVerify: c.getOptionalBoolean('skipTLSVerify') ?? false,
        caData: c.getOptionalString('caData'),
        caFile: c.getOptionalString('caFile'),
      };
      const write = placement?.getOptionalConfig('write');
      clusters.push({
        details,
        ...(write
          ? { write: { ...details, authMetadata: authMetadataOf(write) } }
          : {}),
        info: {
          name,
          title: c.getOptionalString('title'),
          region: placement?.getOptionalString('region'),
          zones: placement?.getOptionalStringArray('zones') ?? [],
          federationHost: readFederationHost(
            placement?.getOptionalString('federationHost'),
          ),
        },
      });
    }
  }
  return clusters;
}

/** Reads the plugin's tunables. */
export function readPluginOptions(config: Config): PluginOptions {
  const c = config.getOptionalConfig('multiclusterStatefulsets');
  return {
    requestTimeoutMs: c?.getOptionalNumber('requestTimeoutMs') ?? 5000,
    idleTimeoutMs: c?.getOptionalNumber('idleTimeoutMs') ?? 15 * 60_000,
    watchIdleMs: c?.getOptionalNumber('watchIdleMs') ?? 5 * 60_000,
    maxWatchesPerCluster:
      c?.getOptionalNumber('maxWatchesPerCluster') ?? DEFAULT_MAX_WATCHES,
    backoffInitialMs: c?.getOptionalNumber('backoffInitialMs') ?? 500,
    backoffMaxMs: c?.getOptionalNumber('backoffMaxMs') ?? 60_000,
    cacheTtlMs: c?.getOptionalNumber('cacheTtlMs') ?? 10_000,
  };
}
