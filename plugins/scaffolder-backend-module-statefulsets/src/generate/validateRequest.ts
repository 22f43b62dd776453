/*
 * The template's own rules, checked before anything is generated or
 * written: every failure is an InputError that names the offending field
 * and says how to fix it. Also fills in the defaults, so the generator
 * works on one complete, normalised request. The rules of the clusters,
 * the storage and PostgreSQL each have their own file under validate/.
 */
import { ENGINE_PROFILES } from './engines';
import { checkFederation } from './federation/checkFederation';
import {
  CephFsSource,
  ClusterInfo,
  ClusterPlacement,
  Engine,
  Federation,
  GenerateRequest,
  ResourceRequest,
  Routing,
  Strategy,
} from './types';
import { checkClusters } from './validate/checkClusters';
import { checkDnsLabel } from './validate/checkDnsLabel';
import { checkMongodb } from './validate/checkMongodb';
import {
  ElasticsearchSettings,
  checkElasticsearch,
} from './validate/checkElasticsearch';
import {
  PostgresqlCertificates,
  checkPostgresql,
} from './validate/checkPostgresql';
import { checkRouting } from './validate/checkRouting';
import { checkStorage } from './validate/checkStorage';
import { fail } from './validate/fail';

/** A placement with its resolved ordinals and the cluster's location. */
export interface ResolvedPlacement extends ClusterPlacement {
  ordinalsStart: number;
  region?: string;
  zones: string[];
}

/** A request with every default filled in and every rule checked. */
export interface NormalizedRequest {
  name: string;
  namespace: string;
  engine: Engine;
  image: string;
  version: string;
  port: number;
  strategy: Strategy;
  clusters: ResolvedPlacement[];
  storage: {
    size: string;
    storageClass?: string;
    accessMode: 'ReadWriteOnce' | 'ReadWriteMany';
    cephfs?: CephFsSource;
  };
  federation: Federation;
  federationHost?: ClusterInfo;
  routing: Routing;
  globalHost: string;
  resources?: ResourceRequest;
  owner: string;
  system?: string;
  lifecycle: string;
  description?: string;
  allowedRegions: string[];
  maxFailoverLagSeconds: number;
  /** PostgreSQL: the CA Secrets every cluster shares (absent for a single cluster without them). */
  postgresql?: PostgresqlCertificates;
  /** Elasticsearch: the licence, transport certificates and mmap choice. */
  elasticsearch?: ElasticsearchSettings;
}

// Names end up as Service names with a `-headless` suffix and as pod names
// with an ordinal, so the base name must leave room within 63 characters.
const MAX_NAME_LENGTH = 54;
const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Checks a request against the configured clusters and fills in defaults;
 * throws an InputError naming the field at the first broken rule.
 */
export function validateRequest(
  request: GenerateRequest,
  known: ClusterInfo[],
): NormalizedRequest {
  checkDnsLabel('name', request.name ?? '', MAX_NAME_LENGTH);
  checkDnsLabel('namespace', request.namespace ?? '', 63);
  const engine = request.engine;
  const profile = ENGINE_PROFILES[engine];
  if (!profile) {
    fail(
      'engine',
      `unknown engine "${engine}"`,
      `choose one of ${Object.keys(ENGINE_PROFILES).join(', ')}`,
    );
  }
  const image = request.image || profile.image;
  if (!image) {
    fail(
      'image',
      'the generic engine has no default image',
      'set image (and version) to the container image to run',
    );
  }
  if (!request.owner) {
    fail('owner', 'no owner is given', 'pick the team that owns the database');
  }
  const allowedRegions = (request.allowedRegions ?? [])
    .map(r => r.trim())
    .filter(Boolean);
  const clusters = checkClusters(request, known, allowedRegions);
  const storage = checkStorage(request);
  const federation = request.federation ?? 'none';
  const routing = checkRouting(request, clusters);

  const postgresql =
    engine === 'postgresql'
      ? checkPostgresql(request, federation, storage)
      : undefined;
  const elasticsearch =
    engine === 'elasticsearch' ? checkElasticsearch(request) : undefined;
  if (engine === 'mongodb') checkMongodb(clusters);

  const federationHost = checkFederation(request, known, federation);

  const globalHost =
    request.globalHost || `${request.name}.${request.namespace}.global`;
  if (!DNS_SUBDOMAIN.test(globalHost) || globalHost.length > 253) {
    fail(
      'globalHost',
      `"${globalHost}" is not a DNS name`,
      'use lower-case labels separated by dots, e.g. "orders-db.global"',
    );
  }
  const lag = request.maxFailoverLagSeconds ?? 5;
  if (!(lag >= 0)) {
    fail(
      'maxFailoverLagSeconds',
      `${lag} is negative`,
      'give the tolerated replication lag in seconds (0 or more)',
    );
  }
  return {
    name: request.name,
    namespace: request.namespace,
    engine,
    image,
    version: request.version || profile.version || 'latest',
    port: request.port ?? profile.port,
    strategy: request.strategy,
    clusters,
    storage,
    federation,
    federationHost,
    routing,
    globalHost,
    resources: request.resources,
    owner: request.owner,
    system: request.system || undefined,
    lifecycle: request.lifecycle || 'production',
    description: request.description,
    allowedRegions,
    maxFailoverLagSeconds: lag,
    postgresql,
    elasticsearch,
  };
}
