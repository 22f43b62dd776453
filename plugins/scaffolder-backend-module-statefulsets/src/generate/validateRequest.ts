/*
 * The template's own rules, checked before anything is generated or
 * written: every failure is an InputError that names the offending field
 * and says how to fix it. Also fills in the defaults, so the generator
 * works on one complete, normalised request.
 */
import { InputError } from '@backstage/errors';
import { regionAllowed } from '@multicluster/backstage-plugin-statefulsets-common';
import { ENGINE_PROFILES } from './engines';
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
}

// Names end up as Service names with a `-headless` suffix and as pod names
// with an ordinal, so the base name must leave room within 63 characters.
const MAX_NAME_LENGTH = 54;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

function fail(field: string, problem: string, fix: string): never {
  throw new InputError(`${field}: ${problem}; ${fix}`);
}

function checkDnsLabel(field: string, value: string, max: number) {
  if (!DNS_LABEL.test(value) || value.length > max) {
    fail(
      field,
      `"${value}" is not a DNS-1123 label of at most ${max} characters`,
      'use lower-case letters, digits and \'-\', starting and ending with a letter or digit (e.g. "orders-db")',
    );
  }
}

function ordinalRange(c: { ordinalsStart: number; replicas: number }) {
  return `${c.ordinalsStart}-${c.ordinalsStart + c.replicas - 1}`;
}

function resolveOrdinals(
  clusters: ClusterPlacement[],
): Array<ClusterPlacement & { ordinalsStart: number }> {
  // Explicit starts are kept; the others continue after the highest ordinal
  // assigned so far, so pod names never collide across clusters.
  let next = 0;
  for (const c of clusters) {
    if (c.ordinalsStart !== undefined) {
      next = Math.max(next, c.ordinalsStart + c.replicas);
    }
  }
  const resolved = clusters.map(c => {
    if (c.ordinalsStart !== undefined) {
      return { ...c, ordinalsStart: c.ordinalsStart };
    }
    const start = next;
    next += c.replicas;
    return { ...c, ordinalsStart: start };
  });
  resolved.forEach((a, i) => {
    resolved.slice(0, i).forEach(b => {
      const overlap =
        a.ordinalsStart < b.ordinalsStart + b.replicas &&
        b.ordinalsStart < a.ordinalsStart + a.replicas;
      if (overlap) {
        fail(
          `clusters[${i}].ordinalsStart`,
          `ordinals ${ordinalRange(a)} of ${
            a.name
          } overlap ordinals ${ordinalRange(b)} of ${b.name}`,
          `start at ${Math.max(
            ...resolved
              .filter(r => r !== a)
              .map(r => r.ordinalsStart + r.replicas),
          )} or later, or leave ordinalsStart empty to have it assigned`,
        );
      }
    });
  });
  return resolved;
}

function checkClusters(
  request: GenerateRequest,
  known: ClusterInfo[],
  allowedRegions: string[],
): ResolvedPlacement[] {
  const clusters = request.clusters ?? [];
  if (clusters.length === 0) {
    fail('clusters', 'no cluster was chosen', 'pick at least one cluster');
  }
  const byName = new Map(known.map(c => [c.name, c]));
  const seen = new Set<string>();
  clusters.forEach((c, i) => {
    const info = byName.get(c.name);
    if (!info) {
      fail(
        `clusters[${i}].name`,
        `unknown cluster "${c.name}"`,
        `choose one of the configured clusters: ${
          known.map(k => k.name).join(', ') || '(none configured)'
        }`,
      );
    }
    if (seen.has(c.name)) {
      fail(
        `clusters[${i}].name`,
        `cluster "${c.name}" is listed twice`,
        'list each cluster once and set its replicas instead',
      );
    }
    seen.add(c.name);
    checkDnsLabel(`clusters[${i}].name`, c.name, 63);
    if (!Number.isInteger(c.replicas) || c.replicas < 1) {
      fail(
        `clusters[${i}].replicas`,
        `${c.replicas} is not a positive whole number`,
        'run at least 1 replica in every chosen cluster',
      );
    }
    if (!Number.isInteger(c.weight) || c.weight < 0 || c.weight > 100) {
      fail(
        `clusters[${i}].weight`,
        `${c.weight} is not a whole number between 0 and 100`,
        'give each cluster its traffic share in percent',
      );
    }
    if (
      c.ordinalsStart !== undefined &&
      (!Number.isInteger(c.ordinalsStart) || c.ordinalsStart < 0)
    ) {
      fail(
        `clusters[${i}].ordinalsStart`,
        `${c.ordinalsStart} is not a non-negative whole number`,
        'use 0 or more, or leave it empty',
      );
    }
    if (allowedRegions.length > 0) {
      if (!info.region) {
        fail(
          `clusters[${i}].name`,
          `cluster "${
            c.name
          }" has no known region, so data residency (allowedRegions ${allowedRegions.join(
            ',',
          )}) cannot be proven`,
          'give the cluster a region in the kubernetes configuration or pick another cluster',
        );
      }
      if (!regionAllowed(info.region, allowedRegions)) {
        fail(
          `clusters[${i}].name`,
          `cluster "${c.name}" is in region ${
            info.region
          }, outside allowedRegions (${allowedRegions.join(',')})`,
          'pick a cluster in an allowed region or widen allowedRegions',
        );
      }
    }
  });
  const total = clusters.reduce((sum, c) => sum + c.weight, 0);
  if (total !== 100) {
    fail(
      'clusters[].weight',
      `the weights add up to ${total}`,
      'make them add up to 100 (e.g. 100 on the active cluster and 0 on passives)',
    );
  }
  const actives = clusters
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.role === 'active');
  if (request.strategy === 'active-passive' && actives.length > 1) {
    fail(
      `clusters[${actives[1].i}].role`,
      `active-passive allows one active cluster, but ${actives
        .map(a => a.c.name)
        .join(' and ')} are active`,
      'make all but one cluster passive, or choose strategy active-active',
    );
  }
  if (actives.length === 0) {
    fail(
      'clusters[].role',
      'no cluster is active',
      'make one cluster active (the one taking writes)',
    );
  }
  return resolveOrdinals(clusters).map(c => ({
    ...c,
    region: byName.get(c.name)?.region,
    zones: byName.get(c.name)?.zones ?? [],
  }));
}

function checkStorage(request: GenerateRequest): NormalizedRequest['storage'] {
  const storage = request.storage;
  if (!storage || !QUANTITY.test(String(storage.size ?? ''))) {
    fail(
      'storage.size',
      `"${storage?.size ?? ''}" is not a Kubernetes quantity`,
      'use a size such as "20Gi"',
    );
  }
  const accessMode = storage.accessMode ?? 'ReadWriteOnce';
  const cephfs = storage.sharedVolume?.cephfs;
  if (accessMode === 'ReadWriteMany') {
    const missing = (['fsName', 'path', 'clusterID'] as const).filter(
      k => !cephfs?.[k],
    );
    if (!cephfs || missing.length > 0 || !cephfs.secretRef?.name) {
      fail(
        'storage.sharedVolume.cephfs',
        `ReadWriteMany needs a shared volume source, but ${
          cephfs
            ? `cephfs lacks ${[
                ...missing,
                ...(cephfs.secretRef?.name ? [] : ['secretRef.name']),
              ].join(', ')}`
            : 'none is given'
        }`,
        'set storage.sharedVolume.cephfs {fsName, path, clusterID, secretRef.name} or use accessMode ReadWriteOnce',
      );
    }
  } else if (cephfs) {
    fail(
      'storage.accessMode',
      'a shared CephFS volume is mounted ReadWriteMany, but accessMode is ReadWriteOnce',
      'set accessMode ReadWriteMany or remove storage.sharedVolume',
    );
  }
  if (cephfs && cephfs.path && !cephfs.path.startsWith('/')) {
    fail(
      'storage.sharedVolume.cephfs.path',
      `"${cephfs.path}" is not absolute`,
      'give the path inside the CephFS file system, e.g. "/volumes/orders"',
    );
  }
  return {
    size: storage.size,
    storageClass: storage.storageClass || undefined,
    accessMode,
    cephfs: accessMode === 'ReadWriteMany' ? cephfs : undefined,
  };
}

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
  const routing = request.routing ?? 'none';

  if (engine === 'postgresql') {
    if (request.strategy === 'active-active') {
      fail(
        'strategy',
        'CloudNativePG runs one primary across its replica clusters, so PostgreSQL cannot be active-active',
        'choose strategy active-passive',
      );
    }
    if (federation === 'kubefed') {
      fail(
        'federation',
        'KubeFed here federates StatefulSets only, and PostgreSQL runs as a CloudNativePG Cluster',
        'choose federation karmada or none',
      );
    }
    if (storage.cephfs) {
      fail(
        'storage.sharedVolume',
        'CloudNativePG creates and owns its volumes; a shared CephFS volume cannot be handed to it',
        'remove storage.sharedVolume and use accessMode ReadWriteOnce',
      );
    }
  }

  let federationHost: ClusterInfo | undefined;
  if (federation !== 'none') {
    federationHost = known.find(c => c.federationHost === federation);
    if (!federationHost) {
      fail(
        'federation',
        `no configured cluster is marked as a ${federation} host`,
        `mark the ${federation} control-plane cluster with federationHost: ${federation} in the backend's kubernetes cluster configuration, or choose federation none`,
      );
    }
  }

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
  };
}
