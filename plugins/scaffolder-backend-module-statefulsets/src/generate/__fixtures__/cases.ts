/*
 * The golden cases: a pairwise-covering set of engine × strategy ×
 * federation × routing combinations (every valid pair of values appears in
 * at least one case; the coverage is asserted by the golden test), varied in
 * cluster count, storage and residency rules.
 */
import {
  ClusterPlacement,
  ElasticsearchLicence,
  Engine,
  Federation,
  GenerateRequest,
  Routing,
  Strategy,
} from '../types';

/** One golden case. */
export interface GoldenCase {
  id: string;
  request: GenerateRequest;
}

const cephfs = {
  fsName: 'cephfs',
  path: '/volumes/shared',
  clusterID: 'ceph-prod',
  secretRef: { name: 'cephfs-user' },
};

// The CA the platform distributes to every cluster, as CloudNativePG needs it.
const postgresCa = { postgresql: { serverCASecret: 'postgres-ca' } };

// What the platform provides Elasticsearch: a licence with cross-cluster
// replication and transport certificates from one shared CA.
function elasticsearchPlatform(licence: ElasticsearchLicence) {
  return { licence, transportTlsSecret: 'elasticsearch-transport-tls' };
}

function placements(strategy: Strategy, count: 2 | 3): ClusterPlacement[] {
  if (strategy === 'active-active') {
    return count === 2
      ? [
          { name: 'eu-central', role: 'active', weight: 50, replicas: 3 },
          { name: 'eu-west', role: 'active', weight: 50, replicas: 3 },
        ]
      : [
          { name: 'eu-central', role: 'active', weight: 40, replicas: 3 },
          { name: 'eu-west', role: 'active', weight: 30, replicas: 2 },
          { name: 'us-east', role: 'active', weight: 30, replicas: 2 },
        ];
  }
  return count === 2
    ? [
        { name: 'eu-central', role: 'active', weight: 100, replicas: 3 },
        { name: 'eu-west', role: 'passive', weight: 0, replicas: 2 },
      ]
    : [
        { name: 'eu-central', role: 'active', weight: 100, replicas: 3 },
        { name: 'eu-west', role: 'passive', weight: 0, replicas: 2 },
        { name: 'us-east', role: 'passive', weight: 0, replicas: 1 },
      ];
}

type Row = [
  Engine,
  Strategy,
  Federation,
  Routing,
  2 | 3,
  Partial<GenerateRequest>?,
];

const ROWS: Row[] = [
  ['mysql', 'active-passive', 'none', 'istio', 2, { allowedRegions: ['eu-*'] }],
  ['mysql', 'active-active', 'kubefed', 'mcs', 3],
  ['mysql', 'active-passive', 'karmada', 'istio', 3],
  ['postgresql', 'active-passive', 'none', 'mcs', 2, postgresCa],
  [
    'postgresql',
    'active-passive',
    'karmada',
    'istio',
    3,
    {
      system: 'billing',
      postgresql: {
        serverCASecret: 'postgres-server-ca',
        clientCASecret: 'postgres-client-ca',
      },
    },
  ],
  ['postgresql', 'active-passive', 'none', 'istio', 2, postgresCa],
  ['mongodb', 'active-active', 'none', 'mcs', 3],
  ['mongodb', 'active-passive', 'kubefed', 'istio', 3],
  ['mongodb', 'active-active', 'karmada', 'mcs', 2],
  ['kafka', 'active-active', 'none', 'istio', 2],
  ['kafka', 'active-passive', 'kubefed', 'mcs', 2],
  ['kafka', 'active-passive', 'karmada', 'mcs', 3],
  [
    'elasticsearch',
    'active-passive',
    'none',
    'mcs',
    2,
    {
      // Elasticsearch replicates itself: a volume per pod, never a shared one.
      storage: { size: '50Gi', storageClass: 'fast-ssd' },
      // A single-node passive side: 1 or 3+ master-eligible nodes only.
      clusters: [
        { name: 'eu-central', role: 'active', weight: 100, replicas: 3 },
        { name: 'eu-west', role: 'passive', weight: 0, replicas: 1 },
      ],
      elasticsearch: elasticsearchPlatform('enterprise'),
    },
  ],
  [
    'elasticsearch',
    'active-active',
    'kubefed',
    'istio',
    3,
    {
      clusters: [
        { name: 'eu-central', role: 'active', weight: 40, replicas: 3 },
        { name: 'eu-west', role: 'active', weight: 30, replicas: 3 },
        { name: 'us-east', role: 'active', weight: 30, replicas: 1 },
      ],
      elasticsearch: elasticsearchPlatform('trial'),
    },
  ],
  [
    'elasticsearch',
    'active-active',
    'karmada',
    'mcs',
    2,
    {
      elasticsearch: {
        ...elasticsearchPlatform('platinum'),
        nodesAllowMmap: true,
      },
    },
  ],
  [
    'generic',
    'active-passive',
    'none',
    'none',
    2,
    { image: 'ghcr.io/example/ledger', version: '1.4.2' },
  ],
  [
    'generic',
    'active-passive',
    'kubefed',
    'mcs',
    3,
    {
      image: 'ghcr.io/example/ledger',
      version: '1.4.2',
      storage: {
        size: '10Gi',
        accessMode: 'ReadWriteMany',
        sharedVolume: { cephfs },
      },
      // On a shared volume every cluster runs the same pods.
      clusters: placements('active-passive', 3).map(c => ({
        ...c,
        replicas: 2,
      })),
    },
  ],
  [
    'generic',
    'active-active',
    'karmada',
    'istio',
    3,
    { image: 'ghcr.io/example/ledger', version: '1.4.2', port: 7000 },
  ],
  // Routing none only where nothing replicates across clusters.
  [
    'generic',
    'active-active',
    'kubefed',
    'none',
    2,
    { image: 'ghcr.io/example/ledger', version: '1.4.2' },
  ],
  [
    'generic',
    'active-passive',
    'karmada',
    'none',
    3,
    { image: 'ghcr.io/example/ledger', version: '1.4.2' },
  ],
  [
    'mysql',
    'active-passive',
    'none',
    'mcs',
    2,
    {
      resources: {
        requests: { cpu: '500m', memory: '1Gi' },
        limits: { memory: '2Gi' },
      },
    },
  ],
];

/** Every golden case, named `<engine>-<strategy>-<federation>-<routing>[-n]`. */
export const goldenCases: GoldenCase[] = ROWS.map(
  ([engine, strategy, federation, routing, count, extra]) => {
    const clusters = placements(strategy, count);
    if (count === 3 && engine === 'mysql' && federation === 'karmada') {
      // Explicit, spaced ordinals as an operator might choose them.
      clusters.forEach((c, i) => (c.ordinalsStart = i * 100));
      clusters[1].storageClass = 'gp3';
    }
    return {
      id: `${engine}-${strategy}-${federation}-${routing}`,
      request: {
        name: `${engine === 'generic' ? 'ledger' : engine}-db`,
        namespace: 'data',
        engine,
        strategy,
        clusters,
        storage: { size: '20Gi', storageClass: 'fast-ssd' },
        federation,
        routing,
        owner: 'group:default/dba',
        ...extra,
      },
    };
  },
).map((c, i, all) =>
  all.findIndex(o => o.id === c.id) === i ? c : { ...c, id: `${c.id}-${i}` },
);
