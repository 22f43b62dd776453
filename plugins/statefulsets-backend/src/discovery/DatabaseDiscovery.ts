/*
 * Discovery of databases the portal did not create: on each run it reads
 * every cluster (in parallel, each on its own), groups what it found with
 * the pure rule in `groupDatabases`, marks the candidates the catalog
 * already has (`matchCatalog`) and keeps the result for the REST route. A
 * run never throws: a cluster that fails is reported on its own, and a
 * catalog that cannot be read is reported so the provider keeps its last
 * state instead of offering doubles.
 */
import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_KUBERNETES_LABEL_SELECTOR,
  isDiscoveredEntity,
  OperatorConvention,
  RestModels,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { ClusterDiscoveryRead } from './readClusterForDiscovery';
import {
  DiscoveredDatabase,
  DiscoveryClusterInput,
  groupDatabases,
  ownerStampsOf,
} from './groupDatabases';
import { matchCatalog } from './matchCatalog';
import { DiscoveryOptions } from './readDiscoveryConfig';

/** The answer of `GET /discovery/databases`. */
export type DiscoveredDatabases = RestModels.DiscoveredDatabases;

/** Reads one cluster for a run. */
export interface DiscoveryClusterReader {
  readonly cluster: string;
  read(): Promise<ClusterDiscoveryRead>;
  close?(): void;
}

const CATALOG_FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.annotations',
];

/** Finds databases running in several clusters and keeps the last result. */
export class DatabaseDiscovery {
  readonly #readers: DiscoveryClusterReader[];
  readonly #options: DiscoveryOptions;
  readonly #conventions: readonly OperatorConvention[];
  readonly #catalog: CatalogService;
  readonly #auth: AuthService;
  readonly #logger: LoggerService;
  #last?: DiscoveredDatabases;
  #running?: Promise<void>;

  private constructor(options: {
    readers: DiscoveryClusterReader[];
    options: DiscoveryOptions;
    conventions: readonly OperatorConvention[];
    catalog: CatalogService;
    auth: AuthService;
    logger: LoggerService;
  }) {
    this.#readers = options.readers;
    this.#options = options.options;
    this.#conventions = options.conventions;
    this.#catalog = options.catalog;
    this.#auth = options.auth;
    this.#logger = options.logger;
  }

  /** Creates the discovery; nothing is read until `run()`. */
  static create(options: {
    readers: DiscoveryClusterReader[];
    options: DiscoveryOptions;
    conventions: readonly OperatorConvention[];
    catalog: CatalogService;
    auth: AuthService;
    logger: LoggerService;
  }): DatabaseDiscovery {
    return new DatabaseDiscovery(options);
  }

  /** Whether discovery is configured on. */
  get enabled(): boolean {
    return this.#options.enabled;
  }

  /** The candidates of the last run (none before the first, or when off). */
  current(): DiscoveredDatabases {
    const base = {
      enabled: this.#options.enabled,
      providerEnabled: this.#options.providerEnabled,
    };
    if (!this.#options.enabled) return { ...base, clusters: [], items: [] };
    return this.#last
      ? { ...this.#last, ...base }
      : {
          ...base,
          clusters: this.#readers.map(r => ({ name: r.cluster, objects: 0 })),
          items: [],
        };
  }

  /** Runs discovery once; a run already going is joined, not repeated. */
  run(): Promise<void> {
    if (!this.#options.enabled) return Promise.resolve();
    if (!this.#running) {
      this.#running = this.#run().finally(() => {
        this.#running = undefined;
      });
    }
    return this.#running;
  }

  async #run(): Promise<void> {
    const reads = await Promise.all(
      this.#readers.map(reader =>
        reader.read().catch(
          (err): ClusterDiscoveryRead => ({
            cluster: reader.cluster,
            objects: undefined as never,
            count: 0,
            error: String((err as Error)?.message ?? err),
          }),
        ),
      ),
    );
    const answered = reads.filter(r => !r.error);
    for (const failed of reads.filter(r => r.error)) {
      this.#logger.warn(
        `Database discovery could not read cluster ${failed.cluster}: ${failed.error}`,
      );
    }
    const candidates = groupDatabases(answered, {
      conventions: this.#conventions,
      ownerLabel: this.#options.ownerLabel,
      defaultOwner: this.#options.defaultOwner,
      lifecycle: this.#options.lifecycle,
      discoveredEntityRefs: await this.#discoveredStamps(answered),
    });
    let items = candidates;
    let catalogError: string | undefined;
    try {
      items = matchCatalog(candidates, await this.#catalogEntities(candidates));
    } catch (err) {
      catalogError = `the catalog could not be read: ${
        (err as Error)?.message ?? err
      }`;
      this.#logger.warn(`Database discovery: ${catalogError}`);
    }
    this.#last = {
      enabled: true,
      providerEnabled: this.#options.providerEnabled,
      refreshedAt: new Date().toISOString(),
      ...(catalogError ? { catalogError } : {}),
      clusters: reads.map(r => ({
        name: r.cluster,
        objects: r.count,
        ...(r.error ? { error: r.error } : {}),
      })),
      items,
    };
    this.#logger.debug(
      `Database discovery: ${items.length} candidate(s) in ${answered.length} cluster(s)`,
    );
  }

  /**
   * The owner stamps on the objects that name an entity discovery
   * registered (a discovered database's owner stamped its objects for the
   * entity discovery gave it). Empty when the catalog cannot be read: the
   * stamped objects are then skipped as any other entity's.
   */
  async #discoveredStamps(
    clusters: DiscoveryClusterInput[],
  ): Promise<Set<string>> {
    const stamps = ownerStampsOf(clusters, this.#conventions);
    if (stamps.length === 0) return new Set();
    try {
      const { items } = await this.#catalog.getEntitiesByRefs(
        { entityRefs: stamps, fields: CATALOG_FIELDS },
        { credentials: await this.#auth.getOwnServiceCredentials() },
      );
      return new Set(
        items
          .filter((e): e is Entity => !!e && isDiscoveredEntity(e))
          .map(e => stringifyEntityRef(e).toLocaleLowerCase('en-US')),
      );
    } catch (err) {
      this.#logger.warn(
        `Database discovery could not read the entities objects are stamped for: ${
          (err as Error)?.message ?? err
        }`,
      );
      return new Set();
    }
  }

  /** Entities that could already stand for a candidate: by name, kubernetes-id or selector. */
  async #catalogEntities(candidates: DiscoveredDatabase[]): Promise<Entity[]> {
    if (candidates.length === 0) return [];
    const credentials = await this.#auth.getOwnServiceCredentials();
    const [byAnnotation, byRef] = await Promise.all([
      this.#catalog.getEntities(
        {
          filter: [
            {
              [`metadata.annotations.${ANNOTATION_KUBERNETES_ID}`]:
                CATALOG_FILTER_EXISTS,
            },
            {
              [`metadata.annotations.${ANNOTATION_KUBERNETES_LABEL_SELECTOR}`]:
                CATALOG_FILTER_EXISTS,
            },
          ],
          fields: CATALOG_FIELDS,
        },
        { credentials },
      ),
      this.#catalog.getEntitiesByRefs(
        {
          entityRefs: candidates.map(c => c.entityRef),
          fields: CATALOG_FIELDS,
        },
        { credentials },
      ),
    ]);
    return [
      ...byAnnotation.items,
      ...byRef.items.filter((e): e is Entity => !!e),
    ];
  }

  close(): void {
    for (const reader of this.#readers) reader.close?.();
  }
}
