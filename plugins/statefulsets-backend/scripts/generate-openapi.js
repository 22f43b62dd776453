#!/usr/bin/env node
/*
 * Generates the plugin's REST contract from src/schema/openapi.yaml:
 *
 * - plugins/statefulsets-common/src/schema/openapi/generated/: the TypeScript
 *   types of the spec's schemas (models.ts) and one typed, fetch-based client
 *   (StatefulSetsRestClient.ts, over the hand-written ../sendRequest.ts) that
 *   the frontend and the backend modules share;
 * - src/schema/openapi/generated/router.ts: the spec as a typed constant, the
 *   endpoint map built from those types and the validated router factory.
 *
 * Backstage's own generator (`backstage-repo-tools package schema openapi
 * generate`) runs a Java JAR fetched from Maven Central on first use; this
 * script needs nothing but the repository's own packages.
 *
 * Run it after editing the YAML: `node plugins/statefulsets-backend/scripts/generate-openapi.js`.
 * The output is formatted with the repository's prettier settings, and the
 * drift test (src/schema/openapi/generated.test.ts) regenerates in memory and
 * fails when the files on disk differ.
 */
const { readFileSync, writeFileSync, mkdirSync } = require('node:fs');
const { dirname, join, relative } = require('node:path');
const { parse } = require('yaml');
// The repository's own formatter, a root devDependency like the script's other tools.
// eslint-disable-next-line @backstage/no-undeclared-imports
const prettier = require('prettier');

const BACKEND = join(__dirname, '..');
const COMMON = join(BACKEND, '..', 'statefulsets-common');
const SPEC_PATH = join(BACKEND, 'src/schema/openapi.yaml');
const ROUTER_PATH = join(BACKEND, 'src/schema/openapi/generated/router.ts');
const COMMON_OUT = join(COMMON, 'src/schema/openapi/generated');
const COMMON_PACKAGE = '@multicluster/backstage-plugin-statefulsets-common';
const CLIENT_CLASS = 'StatefulSetsRestClient';

const HEADER = `/*
 * Generated from plugins/statefulsets-backend/src/schema/openapi.yaml by
 * plugins/statefulsets-backend/scripts/generate-openapi.js.
 * Do not edit by hand; edit the YAML and regenerate.
 */`;

/** Prefix of model names in the file being generated (`RestModels.` in the router). */
let modelPrefix = '';
const refName = ref => modelPrefix + ref.split('/').pop();

/** Resolves a `#/components/...` reference of the spec. */
function deref(spec, value) {
  if (!value || !value.$ref) return value;
  return deref(
    spec,
    value.$ref
      .slice(2)
      .split('/')
      .reduce((node, key) => node[key], spec),
  );
}

function comment(text, indent = '') {
  if (!text) return '';
  const oneLine = String(text)
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\*\//g, '*\\/');
  return `${indent}/** ${oneLine} */\n`;
}

const propertyKey = key => (/^[A-Za-z_$][\w$]*$/.test(key) ? key : `'${key}'`);

/** The TypeScript type of a JSON schema of the spec. */
function typeOf(schema) {
  if (!schema || Object.keys(schema).length === 0) return 'unknown';
  if (schema.$ref) return refName(schema.$ref);
  if (schema.allOf) return schema.allOf.map(typeOf).join(' & ');
  if (schema.oneOf || schema.anyOf) {
    return (schema.oneOf || schema.anyOf).map(typeOf).join(' | ');
  }
  if (schema.enum) return schema.enum.map(v => JSON.stringify(v)).join(' | ');
  if (Array.isArray(schema.type)) {
    return schema.type.map(type => typeOf({ ...schema, type })).join(' | ');
  }
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return `Array<${typeOf(schema.items)}>`;
    case 'object':
      return objectType(schema);
    default:
      return 'unknown';
  }
}

function objectType(schema) {
  const required = new Set(schema.required || []);
  const properties = Object.entries(schema.properties || {}).map(
    ([key, value]) =>
      `${comment(value.description)}${propertyKey(key)}${
        required.has(key) ? '' : '?'
      }: ${typeOf(value)};`,
  );
  const extra = schema.additionalProperties;
  if (extra && typeof extra === 'object' && Object.keys(extra).length) {
    properties.push(`[key: string]: ${typeOf(extra)};`);
  } else if (extra === true || (extra && typeof extra === 'object')) {
    properties.push('[key: string]: unknown;');
  }
  // A free-form object: `object` also admits the interfaces that describe it.
  if (!properties.length) return 'object';
  return `{\n${properties.join('\n')}\n}`;
}

function modelsFile(spec) {
  const models = Object.entries(spec.components.schemas).map(
    ([name, schema]) =>
      `${comment(schema.description)}export type ${name} = ${typeOf(schema)};`,
  );
  return `${HEADER}\n\n${models.join('\n\n')}\n`;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head'];

/** Every operation of the spec with its typed parts. */
function operationsOf(spec) {
  return Object.entries(spec.paths).flatMap(([path, item]) =>
    HTTP_METHODS.filter(method => item[method]).map(method => {
      const op = item[method];
      const params = (op.parameters || []).map(p => deref(spec, p));
      const paramsType = where => {
        const list = params.filter(p => p.in === where);
        if (!list.length) return undefined;
        return `{ ${list
          .map(
            p =>
              `${propertyKey(p.name)}${p.required ? '' : '?'}: ${typeOf(
                p.schema,
              )};`,
          )
          .join(' ')} }`;
      };
      const bodySchema = deref(spec, op.requestBody)?.content?.[
        'application/json'
      ]?.schema;
      const answers = Object.entries(op.responses || {})
        .filter(([status]) => Number(status) < 400)
        .map(([status, response]) => ({
          status: Number(status),
          schema: deref(spec, response).content?.['application/json']?.schema,
        }));
      const response = [
        ...new Set(answers.map(a => (a.schema ? typeOf(a.schema) : 'void'))),
      ].join(' | ');
      return {
        key: `#${method}|${path}`,
        name: op.operationId[0].toLowerCase() + op.operationId.slice(1),
        description: op.description,
        method: method.toUpperCase(),
        path,
        pathParams: paramsType('path'),
        query: paramsType('query'),
        headers: paramsType('header'),
        body: bodySchema ? typeOf(bodySchema) : undefined,
        response: response || 'void',
        // Answers below 400 that are not 2xx (a 304) are results, not errors.
        okStatuses: answers.map(a => a.status).filter(s => s >= 300),
      };
    }),
  );
}

/** The names of models a piece of TypeScript mentions. */
function modelsUsed(spec, code) {
  return Object.keys(spec.components.schemas).filter(name =>
    new RegExp(`\\b${name}\\b`).test(code),
  );
}

function requestType(op) {
  const parts = [
    op.pathParams && `path: ${op.pathParams};`,
    op.query && `query?: ${op.query};`,
    op.headers && `headers?: ${op.headers};`,
    op.body && `body: ${op.body};`,
  ].filter(Boolean);
  return parts.length ? `{ ${parts.join(' ')} }` : '{}';
}

function clientFile(spec, pluginId) {
  const ops = operationsOf(spec);
  const methods = ops.map(op => {
    const url = op.path.replace(
      /\{(\w+)\}/g,
      (_, name) => `\${encodeURIComponent(request.path.${name})}`,
    );
    const hasInput = op.pathParams || op.query || op.headers || op.body;
    const sent = [
      `method: '${op.method}',`,
      op.query && 'query: request.query,',
      op.headers && 'headers: request.headers,',
      op.body && 'body: request.body,',
      `okStatuses: ${JSON.stringify(op.okStatuses)},`,
    ].filter(Boolean);
    return `${comment(op.description, '  ')}  async ${op.name}(
    ${hasInput ? `request: ${requestType(op)},` : ''}
    options?: RequestOptions,
  ): Promise<TypedResponse<${op.response}>> {
    return sendRequest(this.#client, \`${url}\`, { ${sent.join(
      ' ',
    )} }, options);
  }`;
  });
  const body = `
/** The backend plugin whose base URL the client asks discovery for. */
export const STATEFULSETS_PLUGIN_ID = '${pluginId}';

/** The typed client of the multi-cluster StatefulSets REST API; any answer the spec does not declare as a result throws a ResponseError. */
export class ${CLIENT_CLASS} {
  readonly #client: StatefulSetsRestClientOptions & { pluginId: string };

  constructor(options: StatefulSetsRestClientOptions) {
    this.#client = { ...options, pluginId: STATEFULSETS_PLUGIN_ID };
  }

${methods.join('\n\n')}
}
`;
  const models = modelsUsed(spec, body);
  return `${HEADER}
import {
  RequestOptions,
  sendRequest,
  StatefulSetsRestClientOptions,
  TypedResponse,
} from '../sendRequest';
import { ${models.join(', ')} } from './models';
${body}`;
}

function commonIndexFile() {
  return `${HEADER}
export * from './models';
export * from './${CLIENT_CLASS}';
export type {
  RequestOptions,
  StatefulSetsRestClientOptions,
  TypedResponse,
} from '../sendRequest';
`;
}

function routerFile(spec) {
  modelPrefix = 'RestModels.';
  const ops = operationsOf(spec);
  modelPrefix = '';
  const entries = ops.map(op => {
    const parts = [
      op.pathParams && `path: ${op.pathParams};`,
      op.query && `query: ${op.query};`,
      op.body && `body: ${op.body};`,
      `response: ${op.response};`,
    ].filter(Boolean);
    return `  '${op.key}': { ${parts.join(' ')} };`;
  });
  const map = `{\n${entries.join('\n')}\n}`;
  return `${HEADER}
import { createValidatedOpenApiRouterFromGeneratedEndpointMap } from '@backstage/backend-openapi-utils';
import type { RestModels } from '${COMMON_PACKAGE}';

/** The OpenAPI document of the plugin. */
export const spec = ${JSON.stringify(spec, null, 2)} as const;

/** Request and response types per operation, keyed as backend-openapi-utils expects. */
export type EndpointMap = ${map};

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
`;
}

/** Every generated file, formatted, keyed by its absolute path. */
function generate() {
  const spec = parse(readFileSync(SPEC_PATH, 'utf8'));
  const pluginId = JSON.parse(
    readFileSync(join(BACKEND, 'package.json'), 'utf8'),
  ).backstage.pluginId;
  const files = {
    [ROUTER_PATH]: routerFile(spec),
    [join(COMMON_OUT, 'models.ts')]: modelsFile(spec),
    [join(COMMON_OUT, `${CLIENT_CLASS}.ts`)]: clientFile(spec, pluginId),
    [join(COMMON_OUT, 'index.ts')]: commonIndexFile(),
  };
  const options = {
    ...prettier.resolveConfig.sync(ROUTER_PATH),
    parser: 'typescript',
  };
  return Object.fromEntries(
    Object.entries(files).map(([path, text]) => [
      path,
      prettier.format(text, options),
    ]),
  );
}

module.exports = { generate };

if (require.main === module) {
  for (const [path, text] of Object.entries(generate())) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    console.log(`wrote ${relative(process.cwd(), path)}`);
  }
}
