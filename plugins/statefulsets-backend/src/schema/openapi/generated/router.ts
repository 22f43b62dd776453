/*
 * Generated from plugins/statefulsets-backend/src/schema/openapi.yaml by
 * plugins/statefulsets-backend/scripts/generate-openapi.js.
 * Do not edit by hand; edit the YAML and regenerate.
 */
import { createValidatedOpenApiRouterFromGeneratedEndpointMap } from '@backstage/backend-openapi-utils';
import type { RestModels } from '@multicluster/backstage-plugin-statefulsets-common';

/** The OpenAPI document of the plugin. */
export const spec = {
  openapi: '3.1.0',
  info: {
    title: 'multicluster-statefulsets',
    version: '1',
    description:
      'The multi-cluster topology of catalog entities backed by StatefulSets (or operator workloads), the health of the configured clusters, failover plans and runs, and the server-side apply of generated manifests with the feed of the catalog entities it registers.',
    license: {
      name: 'Apache-2.0',
    },
  },
  servers: [
    {
      url: '/',
    },
  ],
  paths: {
    '/entities/{kind}/{namespace}/{name}/topology': {
      get: {
        operationId: 'GetEntityTopology',
        description:
          'The complete multi-cluster picture of one entity. Clusters that fail to answer in time appear with an error entry; the rest are answered. Supports conditional requests with ETag / If-None-Match.',
        parameters: [
          {
            $ref: '#/components/parameters/kind',
          },
          {
            $ref: '#/components/parameters/namespace',
          },
          {
            $ref: '#/components/parameters/name',
          },
          {
            in: 'header',
            name: 'If-None-Match',
            required: false,
            schema: {
              type: 'string',
              maxLength: 256,
            },
          },
        ],
        responses: {
          '200': {
            description: 'The topology.',
            headers: {
              ETag: {
                schema: {
                  type: 'string',
                },
              },
            },
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/EntityTopology',
                },
              },
            },
          },
          '304': {
            description: 'Not modified since the ETag given in If-None-Match.',
          },
          '400': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '401': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '403': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '404': {
            $ref: '#/components/responses/ErrorResponse',
          },
        },
        security: [
          {},
          {
            JWT: [],
          },
        ],
      },
    },
    '/clusters': {
      get: {
        operationId: 'ListClusters',
        description: 'The configured clusters with their placement and health.',
        responses: {
          '200': {
            description: 'The clusters.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['items'],
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/ClusterHealth',
                      },
                    },
                  },
                },
              },
            },
          },
          '401': {
            $ref: '#/components/responses/ErrorResponse',
          },
        },
        security: [
          {},
          {
            JWT: [],
          },
        ],
      },
    },
    '/entities/{kind}/{namespace}/{name}/failover/plan': {
      post: {
        operationId: 'PlanFailover',
        description:
          'The dry run of a failover: the checks with their evidence, the ordered steps, the data-loss window and whether the run would be allowed. Needs `multicluster-statefulsets.failover.execute` on the entity; audited as `failover-plan`.',
        parameters: [
          {
            $ref: '#/components/parameters/kind',
          },
          {
            $ref: '#/components/parameters/namespace',
          },
          {
            $ref: '#/components/parameters/name',
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/FailoverRequest',
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'The plan.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/FailoverPlan',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '401': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '403': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '404': {
            $ref: '#/components/responses/ErrorResponse',
          },
        },
        security: [
          {},
          {
            JWT: [],
          },
        ],
      },
    },
    '/entities/{kind}/{namespace}/{name}/failover/runs': {
      post: {
        operationId: 'StartFailoverRun',
        description:
          'Starts a failover run; the engine carries it on in the background. Needs `multicluster-statefulsets.failover.execute` on the entity; audited as `failover-execute`.',
        parameters: [
          {
            $ref: '#/components/parameters/kind',
          },
          {
            $ref: '#/components/parameters/namespace',
          },
          {
            $ref: '#/components/parameters/name',
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/StartFailoverRequest',
              },
            },
          },
        },
        responses: {
          '202': {
            description: 'The run was created; follow it with its id.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/FailoverRunCreated',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '401': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '403': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '404': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '409': {
            $ref: '#/components/responses/ErrorResponse',
          },
        },
        security: [
          {},
          {
            JWT: [],
          },
        ],
      },
      get: {
        operationId: 'ListFailoverRuns',
        description:
          "The entity's failover runs, newest first, without their steps. Needs `multicluster-statefulsets.topology.read` on the entity.",
        parameters: [
          {
            $ref: '#/components/parameters/kind',
          },
          {
            $ref: '#/components/parameters/namespace',
          },
          {
            $ref: '#/components/parameters/name',
          },
        ],
        responses: {
          '200': {
            description: 'The runs.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['items'],
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/FailoverRun',
                      },
                    },
                  },
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '401': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '403': {
            $ref: '#/components/responses/ErrorResponse',
          },
        },
        security: [
          {},
          {
            JWT: [],
          },
        ],
      },
    },
    '/entities/{kind}/{namespace}/{name}/failover/runs/{id}': {
      get: {
        operationId: 'GetFailoverRun',
        description:
          'One run of the entity with its journal of steps. Needs `multicluster-statefulsets.topology.read` on the entity.',
        parameters: [
          {
            $ref: '#/components/parameters/kind',
          },
          {
            $ref: '#/components/parameters/namespace',
          },
          {
            $ref: '#/components/parameters/name',
          },
          {
            $ref: '#/components/parameters/runId',
          },
        ],
        responses: {
          '200': {
            description: 'The run with its steps.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/FailoverRunDetails',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '401': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '403': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '404': {
            $ref: '#/components/responses/ErrorResponse',
          },
        },
        security: [
          {},
          {
            JWT: [],
          },
        ],
      },
    },
    '/entities/{kind}/{namespace}/{name}/lag-history': {
      get: {
        operationId: 'GetLagHistory',
        description:
          "The replication lag of each of the entity's links over the last hour or day: from Prometheus range queries where the link's lag is measured by Prometheus, else from the samples this backend replica kept while it computed the topology (one per link every 10 s at most, for a day). With the entity's failover lag bound and its failover runs in the window. Needs `multicluster-statefulsets.topology.read` on the entity.",
        parameters: [
          {
            $ref: '#/components/parameters/kind',
          },
          {
            $ref: '#/components/parameters/namespace',
          },
          {
            $ref: '#/components/parameters/name',
          },
          {
            in: 'query',
            name: 'window',
            required: false,
            description: 'How far back the history reaches (default `1h`).',
            schema: {
              $ref: '#/components/schemas/LagHistoryWindow',
            },
          },
        ],
        responses: {
          '200': {
            description: 'The lag history.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/LagHistory',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '401': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '403': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '404': {
            $ref: '#/components/responses/ErrorResponse',
          },
        },
        security: [
          {},
          {
            JWT: [],
          },
        ],
      },
    },
    '/apply': {
      post: {
        operationId: 'Apply',
        description:
          "Server-side apply of generated manifests to the named clusters, as the scaffolder action asks for it. Needs `multicluster-statefulsets.deploy`; audited as `deploy`. A failure in some clusters is a result (`status: failed` per cluster), not an HTTP error. Bodies up to 10 MB are accepted. Only the kinds the template generates, in the entity's own namespace, are accepted (400); an entity already registered is applied only by its owners (403), and a name the catalog holds from elsewhere is not registered over (409).",
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/ApplyRequest',
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'The outcome per cluster and per object.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/ApplyResponse',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '401': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '403': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '409': {
            $ref: '#/components/responses/ErrorResponse',
          },
        },
        security: [
          {},
          {
            JWT: [],
          },
        ],
      },
    },
    '/generated-entities': {
      get: {
        operationId: 'ListGeneratedEntities',
        description:
          'The catalog entities registered by `POST /apply`, for the catalog provider. Open to service principals only.',
        responses: {
          '200': {
            description: 'The stored entities.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['items'],
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/GeneratedEntity',
                      },
                    },
                  },
                },
              },
            },
          },
          '401': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '403': {
            $ref: '#/components/responses/ErrorResponse',
          },
        },
        security: [
          {},
          {
            JWT: [],
          },
        ],
      },
    },
    '/discovery/databases': {
      get: {
        operationId: 'ListDiscoveredDatabases',
        description:
          'Databases found running in two or more configured clusters that no entity created by the portal owns yet, grouped by the same `backstage.io/kubernetes-id`, the same Helm release or the same operator resource, each with the catalog entity suggested for it (or why there is none). Users need the discovery read permission; service principals (the catalog provider) may always read.',
        responses: {
          '200': {
            description: 'The candidates of the last discovery run.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/DiscoveredDatabases',
                },
              },
            },
          },
          '401': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '403': {
            $ref: '#/components/responses/ErrorResponse',
          },
        },
        security: [
          {},
          {
            JWT: [],
          },
        ],
      },
    },
  },
  components: {
    securitySchemes: {
      JWT: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
      },
    },
    parameters: {
      kind: {
        name: 'kind',
        in: 'path',
        required: true,
        schema: {
          type: 'string',
          maxLength: 63,
          pattern: '^[A-Za-z][A-Za-z0-9-]{0,62}$',
        },
      },
      namespace: {
        name: 'namespace',
        in: 'path',
        required: true,
        schema: {
          type: 'string',
          maxLength: 63,
          pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$',
        },
      },
      name: {
        name: 'name',
        in: 'path',
        required: true,
        schema: {
          type: 'string',
          maxLength: 63,
          pattern: '^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$',
        },
      },
      runId: {
        name: 'id',
        in: 'path',
        required: true,
        schema: {
          type: 'string',
          minLength: 1,
          maxLength: 128,
        },
      },
    },
    responses: {
      ErrorResponse: {
        description: 'An error.',
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/Error',
            },
          },
        },
      },
    },
    schemas: {
      Error: {
        type: 'object',
        properties: {
          error: {
            type: 'object',
            properties: {
              name: {
                type: 'string',
              },
              message: {
                type: 'string',
              },
            },
            required: ['name', 'message'],
          },
          request: {
            type: 'object',
            properties: {
              method: {
                type: 'string',
              },
              url: {
                type: 'string',
              },
            },
          },
          response: {
            type: 'object',
            properties: {
              statusCode: {
                type: 'number',
              },
            },
          },
        },
        required: ['error', 'response'],
      },
      ClusterError: {
        type: 'object',
        required: ['reason', 'message'],
        properties: {
          reason: {
            type: 'string',
            enum: [
              'unreachable',
              'timeout',
              'unauthorized',
              'forbidden',
              'malformed',
              'error',
            ],
          },
          message: {
            type: 'string',
          },
        },
      },
      ClusterHealth: {
        type: 'object',
        required: ['name', 'zones', 'synced', 'servedKinds'],
        properties: {
          name: {
            type: 'string',
          },
          title: {
            type: 'string',
          },
          region: {
            type: 'string',
          },
          zones: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
          federationHost: {
            type: 'string',
            enum: ['karmada', 'kubefed'],
          },
          synced: {
            type: 'boolean',
          },
          lastSyncAt: {
            type: 'string',
          },
          lastError: {
            allOf: [
              {
                $ref: '#/components/schemas/ClusterError',
              },
              {
                type: 'object',
                properties: {
                  at: {
                    type: 'string',
                  },
                },
              },
            ],
          },
          servedKinds: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
        },
      },
      EntityTopology: {
        type: 'object',
        description:
          'See the `EntityTopology` type of @multicluster/backstage-plugin-statefulsets-common for every field.',
        required: [
          'entityRef',
          'generatedAt',
          'policy',
          'clusters',
          'replication',
          'traffic',
          'federation',
          'drift',
          'readiness',
        ],
        properties: {
          entityRef: {
            type: 'string',
          },
          generatedAt: {
            type: 'string',
          },
          policy: {
            type: 'object',
          },
          clusters: {
            type: 'array',
            items: {
              type: 'object',
              required: [
                'name',
                'zones',
                'reachable',
                'stale',
                'role',
                'workloads',
              ],
              properties: {
                name: {
                  type: 'string',
                },
                region: {
                  type: 'string',
                },
                reachable: {
                  type: 'boolean',
                },
                stale: {
                  type: 'boolean',
                },
                error: {
                  $ref: '#/components/schemas/ClusterError',
                },
                role: {
                  type: 'string',
                  enum: ['active', 'passive', 'fenced', 'unknown'],
                },
                trafficWeight: {
                  type: 'number',
                },
                workloads: {
                  type: 'array',
                  items: {
                    type: 'object',
                  },
                },
              },
            },
          },
          replication: {
            type: 'array',
            items: {
              type: 'object',
            },
          },
          traffic: {
            type: 'object',
          },
          federation: {
            type: 'array',
            items: {
              type: 'object',
            },
          },
          drift: {
            type: 'array',
            items: {
              type: 'object',
            },
          },
          readiness: {
            type: 'object',
            required: ['verdict', 'checks'],
            properties: {
              verdict: {
                type: 'string',
                enum: ['ready', 'degraded', 'not-ready'],
              },
              checks: {
                type: 'array',
                items: {
                  type: 'object',
                },
              },
            },
          },
        },
      },
      CheckStatus: {
        type: 'string',
        enum: ['pass', 'warn', 'fail'],
      },
      FailoverMode: {
        type: 'string',
        description:
          'Planned switchover, emergency failover (the source is unreachable), or draining one cluster of an active-active set.',
        enum: ['switchover', 'failover', 'drain'],
      },
      FailoverRequest: {
        type: 'object',
        description: 'What a failover is asked to do.',
        required: ['targetCluster', 'mode'],
        properties: {
          targetCluster: {
            type: 'string',
            minLength: 1,
            maxLength: 253,
            description:
              "The cluster to move to; one of the entity's clusters.",
          },
          mode: {
            $ref: '#/components/schemas/FailoverMode',
          },
        },
      },
      StartFailoverRequest: {
        description: 'A failover request with its confirmation.',
        allOf: [
          {
            $ref: '#/components/schemas/FailoverRequest',
          },
          {
            type: 'object',
            required: ['confirm'],
            properties: {
              confirm: {
                type: 'string',
                maxLength: 253,
                description: "The entity's name, typed to confirm.",
              },
              force: {
                type: 'boolean',
                description:
                  'Required (true) for an emergency failover, which may lose data.',
              },
              reason: {
                type: 'string',
                maxLength: 500,
                description:
                  'Why an emergency failover is forced while the source still answers; required then, recorded in the run and the audit log.',
              },
            },
          },
        ],
      },
      FailoverRunCreated: {
        type: 'object',
        required: ['id'],
        properties: {
          id: {
            type: 'string',
          },
        },
      },
      FailoverStepKind: {
        type: 'string',
        enum: [
          'fence-traffic',
          'fence',
          'wait-catch-up',
          'promote',
          'move-traffic',
          'fence-old-source',
          'reattach',
          'drain-traffic',
          'verify',
        ],
      },
      FailoverCheck: {
        type: 'object',
        description:
          'One precondition of a plan with its verdict and evidence.',
        required: ['id', 'title', 'status', 'evidence'],
        properties: {
          id: {
            type: 'string',
          },
          title: {
            type: 'string',
          },
          status: {
            $ref: '#/components/schemas/CheckStatus',
          },
          evidence: {
            type: 'string',
          },
        },
      },
      PlannedStep: {
        type: 'object',
        description: 'One step of a plan, what it changes, in which cluster.',
        required: [
          'index',
          'kind',
          'title',
          'cluster',
          'changes',
          'beforePromotion',
        ],
        properties: {
          index: {
            type: 'integer',
          },
          kind: {
            $ref: '#/components/schemas/FailoverStepKind',
          },
          title: {
            type: 'string',
          },
          cluster: {
            type: 'string',
            description:
              'The cluster whose objects the step changes or reads; `*` for every cluster holding the route.',
          },
          changes: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
          beforePromotion: {
            type: 'boolean',
            description:
              'True for steps undone by a rollback when a later step before promotion fails.',
          },
        },
      },
      WorkloadRef: {
        type: 'object',
        required: ['apiVersion', 'kind', 'namespace', 'name'],
        properties: {
          apiVersion: {
            type: 'string',
          },
          kind: {
            type: 'string',
          },
          namespace: {
            type: 'string',
          },
          name: {
            type: 'string',
          },
        },
      },
      FailoverPlan: {
        type: 'object',
        description:
          'The dry-run answer: what would happen, whether it may, and what may be lost. See the `FailoverPlan` type of @multicluster/backstage-plugin-statefulsets-common.',
        required: [
          'entityRef',
          'mode',
          'targetCluster',
          'generatedAt',
          'allowed',
          'requiresForce',
          'offeredModes',
          'checks',
          'steps',
          'dataLossWindowSeconds',
          'dataLoss',
          'fenceMethod',
          'routing',
          'warnings',
          'workloads',
        ],
        properties: {
          entityRef: {
            type: 'string',
          },
          mode: {
            $ref: '#/components/schemas/FailoverMode',
          },
          engine: {
            type: 'string',
            description:
              "The entity's engine (`multicluster-statefulsets/engine`), so a resumed run reads lag where the plan did.",
          },
          sourceCluster: {
            type: 'string',
            description:
              'The side giving up the primary role (for drain, the cluster drained).',
          },
          targetCluster: {
            type: 'string',
          },
          generatedAt: {
            type: 'string',
          },
          allowed: {
            type: 'boolean',
            description: 'True when no check failed.',
          },
          requiresForce: {
            type: 'boolean',
          },
          offeredModes: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/FailoverMode',
            },
          },
          checks: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/FailoverCheck',
            },
          },
          steps: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/PlannedStep',
            },
          },
          dataLossWindowSeconds: {
            type: ['number', 'null'],
            description:
              'Seconds of writes that may be lost; 0 for a switchover that waits for catch-up; null when unknown.',
          },
          dataLoss: {
            type: 'string',
          },
          dataLossInEngine: {
            type: 'object',
            description:
              'The same window read from the engines when the provider can (GTID sets, LSNs), next to the seconds.',
            required: ['amount', 'unit', 'detail', 'provider'],
            properties: {
              amount: {
                type: ['number', 'null'],
                description:
                  'How much the target lacks of the source; null when the source cannot be read.',
              },
              unit: {
                type: 'string',
                description:
                  "The engine's unit, e.g. `transactions`, `WAL bytes`, `offsets`.",
              },
              detail: {
                type: 'string',
              },
              provider: {
                type: 'string',
              },
            },
          },
          fenceMethod: {
            type: 'string',
          },
          routing: {
            type: 'string',
            description:
              "How traffic moves: `istio` (VirtualService weights), `mcs` (ServiceExports) or `none` (clients redirected by hand); the same values as the topology's `traffic.routing` and the Software Template's `routing` parameter.",
            enum: ['istio', 'mcs', 'none'],
          },
          warnings: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
          workloads: {
            type: 'object',
            description: 'The workload acted on, per cluster.',
            additionalProperties: {
              $ref: '#/components/schemas/WorkloadRef',
            },
          },
          route: {
            type: 'object',
            required: ['namespace', 'name'],
            properties: {
              namespace: {
                type: 'string',
              },
              name: {
                type: 'string',
              },
            },
          },
          fenceBudgetSeconds: {
            type: 'number',
            description:
              'Longest time the source may be unable to take writes before promotion (`multicluster-statefulsets/fence-budget`, default 15); when it is spent the run rolls back. Absent from the plans of runs made before the budget existed.',
          },
        },
      },
      FailoverRunStatus: {
        type: 'string',
        description:
          '`rolled-back-with-pending-repair`: rolled back where the clusters answered; the backend undoes the rest when the cluster answers again.',
        enum: [
          'pending',
          'running',
          'succeeded',
          'rolled-back',
          'rolled-back-with-pending-repair',
          'needs-attention',
          'failed',
        ],
      },
      FailoverChange: {
        type: 'object',
        description:
          'One write of a step, journaled when it was made, with what the written fields held before: a rollback undoes exactly these.',
        required: ['cluster', 'object', 'path', 'action', 'state', 'at'],
        properties: {
          cluster: {
            type: 'string',
          },
          object: {
            type: 'string',
            description: '`Kind namespace/name`.',
          },
          path: {
            type: 'string',
          },
          action: {
            type: 'string',
            description:
              '`exec`: a command run in a pod through `pods/exec`; it is not undone by the journal (the provider undoes what it did).',
            enum: ['patch', 'create', 'delete', 'exec'],
          },
          command: {
            type: 'array',
            description:
              'The command of an exec, as given (it carries no credentials).',
            items: {
              type: 'string',
            },
          },
          container: {
            type: 'string',
            description: 'The container an exec ran in, when named.',
          },
          exitCode: {
            type: 'integer',
            description: 'The exit status of an exec.',
          },
          durationMs: {
            type: 'integer',
            description: 'How long an exec took.',
          },
          output: {
            type: 'string',
            description: "The last lines of an exec's stdout and stderr.",
          },
          state: {
            type: 'string',
            description:
              '`applied`: the API server accepted it; `unknown`: the answer was lost; `refused`: it did not reach the object.',
            enum: ['attempted', 'applied', 'unknown', 'refused'],
          },
          at: {
            type: 'string',
          },
          previous: {},
          undo: {
            type: 'string',
            enum: ['undone', 'pending', 'not-needed', 'failed'],
          },
          undoneAt: {
            type: 'string',
          },
          undoError: {
            type: 'string',
          },
        },
      },
      FailoverStepStatus: {
        type: 'string',
        enum: [
          'pending',
          'running',
          'succeeded',
          'failed',
          'skipped',
          'deferred',
        ],
      },
      FailoverRun: {
        type: 'object',
        description: 'A persisted run.',
        required: [
          'id',
          'entityRef',
          'mode',
          'targetCluster',
          'status',
          'actor',
          'createdAt',
          'plan',
        ],
        properties: {
          id: {
            type: 'string',
          },
          entityRef: {
            type: 'string',
          },
          mode: {
            $ref: '#/components/schemas/FailoverMode',
          },
          sourceCluster: {
            type: 'string',
          },
          targetCluster: {
            type: 'string',
          },
          status: {
            $ref: '#/components/schemas/FailoverRunStatus',
          },
          actor: {
            type: 'string',
          },
          createdAt: {
            type: 'string',
          },
          startedAt: {
            type: 'string',
          },
          finishedAt: {
            type: 'string',
          },
          rpoSeconds: {
            type: ['number', 'null'],
            description:
              'Lag in seconds at fence time (switchover) or the last known lag (failover).',
          },
          rtoMs: {
            type: ['number', 'null'],
            description:
              'From the start of the fence (or promotion) until traffic moved, in milliseconds.',
          },
          error: {
            type: 'string',
          },
          attention: {
            type: 'string',
            description: 'What a human must do, when the run needs attention.',
          },
          reason: {
            type: 'string',
            description:
              'Why an emergency failover was forced against a source that still answered.',
          },
          plan: {
            $ref: '#/components/schemas/FailoverPlan',
          },
        },
      },
      FailoverRunStep: {
        type: 'object',
        description: 'A persisted step of a run.',
        required: [
          'runId',
          'index',
          'kind',
          'title',
          'cluster',
          'status',
          'compensation',
        ],
        properties: {
          runId: {
            type: 'string',
          },
          index: {
            type: 'integer',
          },
          kind: {
            $ref: '#/components/schemas/FailoverStepKind',
          },
          title: {
            type: 'string',
          },
          cluster: {
            type: 'string',
          },
          status: {
            $ref: '#/components/schemas/FailoverStepStatus',
          },
          startedAt: {
            type: 'string',
          },
          finishedAt: {
            type: 'string',
          },
          inputs: {
            type: 'object',
            additionalProperties: true,
          },
          outcome: {
            type: 'object',
            additionalProperties: true,
          },
          error: {
            type: 'string',
          },
          compensation: {
            type: 'string',
            enum: ['none', 'compensated', 'not-needed', 'pending', 'failed'],
          },
          compensationError: {
            type: 'string',
          },
          changes: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/FailoverChange',
            },
          },
        },
      },
      FailoverRunDetails: {
        description: 'A run with its journal of steps.',
        allOf: [
          {
            $ref: '#/components/schemas/FailoverRun',
          },
          {
            type: 'object',
            required: ['steps'],
            properties: {
              steps: {
                type: 'array',
                items: {
                  $ref: '#/components/schemas/FailoverRunStep',
                },
              },
            },
          },
        ],
      },
      LagHistoryWindow: {
        type: 'string',
        enum: ['1h', '1d'],
      },
      LagSample: {
        type: 'object',
        description: 'One lag reading.',
        required: ['t', 'lagSeconds'],
        properties: {
          t: {
            type: 'number',
            description:
              'When the lag was read, in milliseconds since the epoch.',
          },
          lagSeconds: {
            type: ['number', 'null'],
            description:
              'Seconds behind the source; null when the lag was unknown.',
          },
        },
      },
      LinkLagHistory: {
        type: 'object',
        description: 'The lag history of one replication link.',
        required: ['from', 'to', 'workload', 'source', 'samples'],
        properties: {
          from: {
            type: 'string',
            description: 'The cluster replicated from.',
          },
          to: {
            type: 'string',
            description: 'The cluster of the replica.',
          },
          workload: {
            type: 'string',
          },
          source: {
            type: 'string',
            description:
              "`prometheus`: range queries against the configured Prometheus; `memory`: samples kept in this backend replica's memory since it began computing the entity's topology.",
            enum: ['prometheus', 'memory'],
          },
          stepSeconds: {
            type: 'number',
            description:
              'Seconds between two samples (at most, for memory samples).',
          },
          reason: {
            type: 'string',
            description:
              "Why the history is not from where the link's lag is measured (for example a failing Prometheus), or why it is empty.",
          },
          samples: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/LagSample',
            },
          },
        },
      },
      LagHistoryRun: {
        type: 'object',
        description: 'A failover run of the entity in the window, for markers.',
        required: ['id', 'mode', 'status', 'targetCluster', 'createdAt'],
        properties: {
          id: {
            type: 'string',
          },
          mode: {
            $ref: '#/components/schemas/FailoverMode',
          },
          status: {
            $ref: '#/components/schemas/FailoverRunStatus',
          },
          sourceCluster: {
            type: 'string',
          },
          targetCluster: {
            type: 'string',
          },
          createdAt: {
            type: 'string',
          },
          startedAt: {
            type: 'string',
          },
          finishedAt: {
            type: 'string',
          },
        },
      },
      LagHistory: {
        type: 'object',
        required: [
          'entityRef',
          'window',
          'from',
          'to',
          'thresholdSeconds',
          'links',
          'runs',
        ],
        properties: {
          entityRef: {
            type: 'string',
          },
          window: {
            $ref: '#/components/schemas/LagHistoryWindow',
          },
          from: {
            type: 'number',
            description:
              'Start of the window, in milliseconds since the epoch.',
          },
          to: {
            type: 'number',
            description: 'End of the window, in milliseconds since the epoch.',
          },
          thresholdSeconds: {
            type: 'number',
            description:
              'The lag a switchover tolerates (`multicluster-statefulsets/max-failover-lag`).',
          },
          links: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/LinkLagHistory',
            },
          },
          runs: {
            type: 'array',
            description:
              "The entity's failover runs that overlap the window, oldest first.",
            items: {
              $ref: '#/components/schemas/LagHistoryRun',
            },
          },
        },
      },
      ManifestObject: {
        type: 'object',
        description:
          'A Kubernetes object as parsed from a generated manifest; free-form below its identity, bounded as a whole by the body limit.',
        required: ['apiVersion', 'kind', 'metadata'],
        maxProperties: 64,
        properties: {
          apiVersion: {
            type: 'string',
            minLength: 1,
            maxLength: 253,
          },
          kind: {
            type: 'string',
            minLength: 1,
            maxLength: 253,
          },
          metadata: {
            type: 'object',
            required: ['name'],
            maxProperties: 64,
            properties: {
              name: {
                type: 'string',
                maxLength: 253,
              },
              namespace: {
                type: 'string',
                maxLength: 63,
              },
            },
            additionalProperties: true,
          },
        },
        additionalProperties: true,
      },
      ClusterManifests: {
        type: 'object',
        description: 'The objects to apply to one cluster, in apply order.',
        required: ['name', 'manifests'],
        properties: {
          name: {
            type: 'string',
            minLength: 1,
            maxLength: 253,
            description: 'A configured cluster; each may appear once.',
          },
          manifests: {
            type: 'array',
            maxItems: 500,
            items: {
              $ref: '#/components/schemas/ManifestObject',
            },
          },
        },
      },
      ApplyRequest: {
        type: 'object',
        required: ['entityRef', 'clusters'],
        properties: {
          entityRef: {
            type: 'string',
            maxLength: 512,
            description:
              'The entity the manifests belong to, `kind:namespace/name`.',
            pattern:
              '^[A-Za-z][A-Za-z0-9-]*:([a-z0-9][a-z0-9.-]*/)?[A-Za-z0-9][A-Za-z0-9._-]*$',
          },
          dryRun: {
            type: 'boolean',
            default: false,
            description:
              'Server-side dry run; nothing is stored or registered.',
          },
          clusters: {
            type: 'array',
            minItems: 1,
            maxItems: 100,
            items: {
              $ref: '#/components/schemas/ClusterManifests',
            },
          },
          catalogInfo: {
            type: 'object',
            description:
              "The catalog entity to register when every cluster succeeded: a Component or Resource whose ref is `entityRef`. Its fields are checked by the catalog's entity policies, whose message the 400 carries.",
            maxProperties: 64,
            properties: {
              apiVersion: {
                type: 'string',
                maxLength: 253,
              },
              kind: {
                type: 'string',
                maxLength: 253,
              },
              metadata: {
                type: 'object',
                maxProperties: 64,
              },
              spec: {
                type: 'object',
                maxProperties: 256,
              },
            },
          },
        },
      },
      ObjectResult: {
        type: 'object',
        required: ['kind', 'name', 'action'],
        properties: {
          kind: {
            type: 'string',
          },
          name: {
            type: 'string',
          },
          namespace: {
            type: 'string',
          },
          action: {
            type: 'string',
            enum: ['created', 'configured', 'unchanged'],
          },
        },
      },
      ClusterApplyResult: {
        type: 'object',
        description:
          'The outcome for one cluster; `error` is set when `status` is failed.',
        required: ['cluster', 'status', 'objects'],
        properties: {
          cluster: {
            type: 'string',
          },
          status: {
            type: 'string',
            enum: ['ok', 'failed'],
          },
          objects: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/ObjectResult',
            },
          },
          refused: {
            type: 'array',
            description:
              "Objects whose ownership stopped this cluster's apply (nothing is written in such a cluster), each with the reason.",
            items: {
              type: 'object',
              required: ['kind', 'name', 'reason'],
              properties: {
                kind: {
                  type: 'string',
                },
                name: {
                  type: 'string',
                },
                namespace: {
                  type: 'string',
                },
                reason: {
                  type: 'string',
                },
              },
            },
          },
          error: {
            type: 'string',
          },
        },
      },
      ApplyResponse: {
        type: 'object',
        required: ['entityRef', 'dryRun', 'results', 'registered'],
        properties: {
          entityRef: {
            type: 'string',
          },
          dryRun: {
            type: 'boolean',
          },
          results: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/ClusterApplyResult',
            },
          },
          registered: {
            type: 'boolean',
            description:
              'True when the catalog entity was stored for the catalog provider.',
          },
        },
      },
      Entity: {
        type: 'object',
        description: 'A Backstage catalog entity.',
        required: ['apiVersion', 'kind', 'metadata'],
        properties: {
          apiVersion: {
            type: 'string',
          },
          kind: {
            type: 'string',
          },
          metadata: {
            type: 'object',
            required: ['name'],
            properties: {
              name: {
                type: 'string',
              },
              namespace: {
                type: 'string',
              },
              title: {
                type: 'string',
              },
              description: {
                type: 'string',
              },
              labels: {
                type: 'object',
                additionalProperties: {
                  type: 'string',
                },
              },
              annotations: {
                type: 'object',
                additionalProperties: {
                  type: 'string',
                },
              },
              tags: {
                type: 'array',
                items: {
                  type: 'string',
                },
              },
            },
            additionalProperties: true,
          },
          spec: {
            type: 'object',
            additionalProperties: true,
          },
        },
        additionalProperties: true,
      },
      GeneratedEntity: {
        type: 'object',
        description: 'A stored entity the catalog provider serves.',
        required: [
          'entityRef',
          'entity',
          'createdBy',
          'createdAt',
          'updatedAt',
        ],
        properties: {
          entityRef: {
            type: 'string',
          },
          entity: {
            $ref: '#/components/schemas/Entity',
          },
          createdBy: {
            type: 'string',
          },
          createdAt: {
            type: 'string',
          },
          updatedAt: {
            type: 'string',
          },
        },
      },
      DiscoveredObject: {
        type: 'object',
        description:
          'One Kubernetes object a discovered database was found as.',
        required: ['cluster', 'kind', 'namespace', 'name'],
        properties: {
          cluster: {
            type: 'string',
          },
          kind: {
            type: 'string',
          },
          namespace: {
            type: 'string',
          },
          name: {
            type: 'string',
          },
          owner: {
            type: 'string',
            description:
              'The owner its owner label (or annotation) names, when it has one.',
          },
        },
      },
      DiscoveredDatabase: {
        type: 'object',
        description:
          'A database running in two or more clusters, with the entity suggested for it. `entity` is present only when an owner is known; otherwise `reason` says what to do.',
        required: [
          'id',
          'name',
          'namespace',
          'engine',
          'grouping',
          'groupedBy',
          'clusters',
          'objects',
          'entityRef',
          'annotations',
        ],
        properties: {
          id: {
            type: 'string',
            description:
              'Stable key of the candidate, e.g. `helm-release/databases/mysql/shop`.',
          },
          name: {
            type: 'string',
            description: "The suggested entity's name.",
          },
          namespace: {
            type: 'string',
            description: 'The Kubernetes namespace its objects live in.',
          },
          engine: {
            type: 'string',
          },
          grouping: {
            type: 'string',
            enum: ['kubernetes-id', 'helm-release', 'operator'],
          },
          groupedBy: {
            type: 'string',
            description:
              'How the objects were grouped, in words (`same Helm release`).',
          },
          clusters: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
          objects: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/DiscoveredObject',
            },
          },
          owner: {
            type: 'string',
          },
          entityRef: {
            type: 'string',
            description: 'The ref the suggested entity has (or would have).',
          },
          annotations: {
            type: 'object',
            description: 'The annotations the suggested entity carries.',
            additionalProperties: {
              type: 'string',
            },
          },
          entity: {
            $ref: '#/components/schemas/Entity',
          },
          reason: {
            type: 'string',
            description: 'Why no entity is suggested.',
          },
          catalogMatch: {
            type: 'string',
            description:
              'An entity already in the catalog (not registered by discovery) with the same name, kubernetes-id or label selector; the candidate is then not offered to the catalog.',
          },
        },
      },
      DiscoveryClusterStatus: {
        type: 'object',
        required: ['name', 'objects'],
        properties: {
          name: {
            type: 'string',
          },
          objects: {
            type: 'number',
            description:
              'StatefulSets and operator resources read in the last run.',
          },
          error: {
            type: 'string',
          },
        },
      },
      DiscoveredDatabases: {
        type: 'object',
        required: ['enabled', 'providerEnabled', 'clusters', 'items'],
        properties: {
          enabled: {
            type: 'boolean',
            description:
              'False when `multiclusterStatefulsets.discovery.enabled` is off; `items` is then empty.',
          },
          providerEnabled: {
            type: 'boolean',
            description:
              'Whether the catalog provider of discovered databases is configured on.',
          },
          refreshedAt: {
            type: 'string',
            description: 'When the last run finished; absent before the first.',
          },
          catalogError: {
            type: 'string',
            description:
              'Set when the catalog could not be read for matches; the catalog provider then keeps what it registered before.',
          },
          clusters: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/DiscoveryClusterStatus',
            },
          },
          items: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/DiscoveredDatabase',
            },
          },
        },
      },
    },
  },
} as const;

/** Request and response types per operation, keyed as backend-openapi-utils expects. */
export type EndpointMap = {
  '#get|/entities/{kind}/{namespace}/{name}/topology': {
    path: { kind: string; namespace: string; name: string };
    response: RestModels.EntityTopology | void;
  };
  '#get|/clusters': {
    response: {
      items: Array<RestModels.ClusterHealth>;
    };
  };
  '#post|/entities/{kind}/{namespace}/{name}/failover/plan': {
    path: { kind: string; namespace: string; name: string };
    body: RestModels.FailoverRequest;
    response: RestModels.FailoverPlan;
  };
  '#get|/entities/{kind}/{namespace}/{name}/failover/runs': {
    path: { kind: string; namespace: string; name: string };
    response: {
      items: Array<RestModels.FailoverRun>;
    };
  };
  '#post|/entities/{kind}/{namespace}/{name}/failover/runs': {
    path: { kind: string; namespace: string; name: string };
    body: RestModels.StartFailoverRequest;
    response: RestModels.FailoverRunCreated;
  };
  '#get|/entities/{kind}/{namespace}/{name}/failover/runs/{id}': {
    path: { kind: string; namespace: string; name: string; id: string };
    response: RestModels.FailoverRunDetails;
  };
  '#get|/entities/{kind}/{namespace}/{name}/lag-history': {
    path: { kind: string; namespace: string; name: string };
    query: { window?: RestModels.LagHistoryWindow };
    response: RestModels.LagHistory;
  };
  '#post|/apply': {
    body: RestModels.ApplyRequest;
    response: RestModels.ApplyResponse;
  };
  '#get|/generated-entities': {
    response: {
      items: Array<RestModels.GeneratedEntity>;
    };
  };
  '#get|/discovery/databases': { response: RestModels.DiscoveredDatabases };
};

/** Creates an Express router that validates requests against the spec. */
export const createOpenApiRouter = async (
  options?: Parameters<
    typeof createValidatedOpenApiRouterFromGeneratedEndpointMap
  >['1'],
) =>
  createValidatedOpenApiRouterFromGeneratedEndpointMap<EndpointMap>(
    spec as any,
    options,
  );
