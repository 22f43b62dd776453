/*
 * Applies generated manifests to the configured clusters, all clusters in
 * parallel and each one independently, and registers the catalog entity for
 * the catalog provider once every cluster succeeded.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
} from '@backstage/catalog-model';
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ClusterConnection } from '../cluster/ClusterConnection';
import { ConfiguredCluster } from '../cluster/readClusterConfig';
import { WriteIdentityResolver } from '../cluster/writeIdentity';
import { ApplyClusterClient } from './ApplyClusterClient';
import { applyToCluster } from './applyToCluster';
import { DatabaseGeneratedEntityStore } from './DatabaseGeneratedEntityStore';
import { CallerOwnership, checkEntityClaim } from './entityClaim';
import {
  checkKarmadaTargets,
  checkKubefedTypeConfigs,
} from './federationTargets';
import { checkManifests, ManifestsRefusedError } from './manifestRules';
import { ApplyRequest, ApplyResponse, ClusterApplyResult } from './types';

/** The location type of entities the apply endpoint registers. */
export const GENERATED_LOCATION_TYPE = 'multicluster-statefulsets';

/** Adds the location annotations the catalog requires of provider-emitted entities. */
export function withLocationAnnotations(entity: Entity): Entity {
  const location = `${GENERATED_LOCATION_TYPE}:${entity.kind.toLocaleLowerCase(
    'en-US',
  )}:${entity.metadata.namespace ?? 'default'}/${entity.metadata.name}`;
  const annotations = entity.metadata.annotations ?? {};
  return {
    ...entity,
    metadata: {
      ...entity.metadata,
      annotations: {
        ...annotations,
        [ANNOTATION_LOCATION]: annotations[ANNOTATION_LOCATION] ?? location,
        [ANNOTATION_ORIGIN_LOCATION]:
          annotations[ANNOTATION_ORIGIN_LOCATION] ?? location,
      },
    },
  };
}

/** Creates the client of one cluster; replaceable in tests. */
export type ApplyClientFactory = (
  cluster: ConfiguredCluster,
) => Promise<ApplyClusterClient>;

/** Server-side apply of generated databases, per cluster. */
export class ApplyService {
  readonly #clusters: Map<string, ConfiguredCluster>;
  readonly #clientFor: ApplyClientFactory;
  readonly #store: DatabaseGeneratedEntityStore;
  readonly #logger: LoggerService;
  readonly #catalog?: CatalogService;
  readonly #protectedNamespaces: string[];
  readonly #writeIdentity?: WriteIdentityResolver;

  private constructor(options: {
    clusters: ConfiguredCluster[];
    clientFor: ApplyClientFactory;
    store: DatabaseGeneratedEntityStore;
    logger: LoggerService;
    catalog?: CatalogService;
    protectedNamespaces?: string[];
    writeIdentity?: WriteIdentityResolver;
  }) {
    this.#writeIdentity = options.writeIdentity;
    this.#clusters = new Map(options.clusters.map(c => [c.details.name, c]));
    this.#clientFor = options.clientFor;
    this.#store = options.store;
    this.#logger = options.logger;
    this.#catalog = options.catalog;
    this.#protectedNamespaces = options.protectedNamespaces ?? [];
  }

  /** Creates the service on the clusters' connections (write credentials, resolved as they expire). */
  static create(options: {
    connections: ClusterConnection[];
    store: DatabaseGeneratedEntityStore;
    logger: LoggerService;
    timeoutMs?: number;
    /** Looks up names the catalog already holds; without it only stored entities are checked. */
    catalog?: CatalogService;
    /** Namespaces refused besides kube-* and the built-in system ones. */
    protectedNamespaces?: string[];
    /** The identity the clusters judge an apply as (impersonation); none: the backend's own. */
    writeIdentity?: WriteIdentityResolver;
  }): ApplyService {
    const timeoutMs = options.timeoutMs ?? 15_000;
    const byName = new Map(options.connections.map(c => [c.name, c]));
    return new ApplyService({
      ...options,
      clusters: options.connections.map(c => c.cluster),
      clientFor: async cluster =>
        ApplyClusterClient.on(
          byName.get(cluster.details.name)!.writer({ timeoutMs }),
        ),
    });
  }

  /** The names of the configured clusters. */
  clusterNames(): string[] {
    return [...this.#clusters.keys()];
  }

  /**
   * Applies a validated request; a failing cluster never hides the others'
   * results. Throws 400 for manifests the template would not generate or
   * Karmada objects sent anywhere but the Karmada API server, or KubeFed
   * objects to a host without their FederatedTypeConfigs, 403
   * or 409 when the entity ref is someone else's (dry runs included).
   */
  async apply(
    request: ApplyRequest,
    options: {
      actor: string;
      caller: CallerOwnership;
      credentials?: BackstageCredentials;
    },
  ): Promise<ApplyResponse> {
    const { violations } = checkManifests(request, {
      protectedNamespaces: this.#protectedNamespaces,
    });
    if (violations.length > 0) throw new ManifestsRefusedError(violations);
    checkKarmadaTargets(request.clusters, this.#clusters);
    await checkEntityClaim({
      entityRef: request.entityRef,
      catalogInfo: request.catalogInfo,
      stored: await this.#store.get(request.entityRef),
      catalog: this.#catalog,
      credentials: options.credentials,
      caller: options.caller,
    });
    const identity =
      options.credentials && this.#writeIdentity
        ? await this.#writeIdentity(options.credentials)
        : undefined;
    await checkKubefedTypeConfigs(request.clusters, async name => {
      const cluster = this.#clusters.get(name);
      if (!cluster) return undefined;
      const client = await this.#clientFor(cluster);
      return identity ? client.impersonating(identity) : client;
    });
    const results = await Promise.all(
      request.clusters.map(async (target): Promise<ClusterApplyResult> => {
        const cluster = this.#clusters.get(target.name);
        if (!cluster) {
          return {
            cluster: target.name,
            status: 'failed',
            objects: [],
            error: `cluster ${target.name} is not configured`,
          };
        }
        let client: ApplyClusterClient;
        try {
          client = await this.#clientFor(cluster);
          if (identity) client = client.impersonating(identity);
        } catch (err) {
          return {
            cluster: target.name,
            status: 'failed',
            objects: [],
            error: `no credentials for ${target.name}: ${
              (err as Error).message
            }`,
          };
        }
        return applyToCluster(client, target.manifests, {
          dryRun: request.dryRun,
          entityRef: request.entityRef,
        });
      }),
    );
    for (const r of results) {
      const summary = `${request.dryRun ? 'dry run ' : ''}apply of ${
        request.entityRef
      } to ${r.cluster}: ${r.status}, ${r.objects.length} object(s)`;
      if (r.status === 'ok') this.#logger.info(summary);
      else this.#logger.warn(`${summary}: ${r.error}`);
    }
    const allOk = results.every(r => r.status === 'ok');
    let registered = false;
    if (request.catalogInfo && allOk && !request.dryRun) {
      await this.#store.upsert({
        entityRef: request.entityRef,
        entity: withLocationAnnotations(request.catalogInfo),
        actor: options.actor,
      });
      registered = true;
    }
    return {
      entityRef: request.entityRef,
      dryRun: request.dryRun,
      results,
      registered,
    };
  }

  /** The registered entities, for the catalog provider. */
  listGeneratedEntities() {
    return this.#store.list();
  }
}
