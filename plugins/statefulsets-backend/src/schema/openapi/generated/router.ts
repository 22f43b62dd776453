/*
 * Generated from src/schema/openapi.yaml by scripts/generate-openapi.mjs.
 * Do not edit by hand; edit the YAML and regenerate.
 */
import { createValidatedOpenApiRouterFromGeneratedEndpointMap } from '@backstage/backend-openapi-utils';
import { EndpointMap } from '../endpoints';

/** The OpenAPI document of the plugin. */
export const spec = {
  openapi: '3.1.0',
  info: {
    title: 'multicluster-statefulsets',
    version: '1',
    description:
      'The multi-cluster topology of catalog entities backed by StatefulSets (or operator workloads), and the health of the configured clusters.',
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
          pattern: '^[A-Za-z][A-Za-z0-9-]{0,62}$',
        },
      },
      namespace: {
        name: 'namespace',
        in: 'path',
        required: true,
        schema: {
          type: 'string',
          pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$',
        },
      },
      name: {
        name: 'name',
        in: 'path',
        required: true,
        schema: {
          type: 'string',
          pattern: '^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$',
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
    },
  },
} as const;

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
