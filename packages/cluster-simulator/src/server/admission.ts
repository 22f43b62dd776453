/*
 * Admission of a full object about to be written: the checks, defaults and
 * pruning kube-apiserver applies between decoding a body and storing it.
 */
import type { KubeObject } from '../controllers/types';
import { applyDefaults } from '../api/defaults';
import { apiVersionOf } from '../api/resources';
import { badRequest, invalid } from '../api/status';
import {
  prune,
  schemaOf,
  unknownFields,
  validateObject,
} from '../api/validation';
import { fieldValidationOf } from './requestOptions';
import type { ResourceRoute } from './resourceRoute';

/**
 * Type checks, unknown fields, defaults, validation; changes `obj` in place
 * and returns the warnings to send back.
 */
export function admit(
  obj: any,
  route: ResourceRoute,
  url: URL,
  existing?: KubeObject,
): string[] {
  const t = route.t;
  const wantApiVersion = apiVersionOf(t);
  if (!obj || typeof obj !== 'object' || Array.isArray(obj))
    throw badRequest('the object provided is unrecognized');
  obj.apiVersion ??= wantApiVersion;
  obj.kind ??= t.kind;
  if (obj.kind !== t.kind || obj.apiVersion !== wantApiVersion) {
    throw badRequest(
      `the API version in the data (${obj.apiVersion}) does not match the expected API version (${wantApiVersion})`,
    );
  }
  obj.metadata ??= {};
  if (t.namespaced) {
    if (
      obj.metadata.namespace &&
      route.namespace &&
      obj.metadata.namespace !== route.namespace
    ) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    obj.metadata.namespace = route.namespace ?? obj.metadata.namespace;
  } else delete obj.metadata.namespace;
  const warnings: string[] = [];
  const mode = fieldValidationOf(url);
  const schema = schemaOf(t);
  if (mode !== 'Ignore') {
    const unknown = unknownFields(schema, obj);
    if (unknown.length && mode === 'Strict') {
      throw badRequest(
        `${t.kind} in version "${t.version}" cannot be handled as a ${
          t.kind
        }: strict decoding error: ${unknown
          .map(f => `unknown field "${f}"`)
          .join(', ')}`,
      );
    }
    warnings.push(...unknown.map(f => `unknown field "${f}"`));
  }
  if (!t.builtin && schema) prune(obj, schema);
  if (t.builtin) applyDefaults(t.group, obj, existing);
  const causes = validateObject(t, obj);
  if (causes.length)
    throw invalid(t.kind, t.group, obj.metadata.name ?? '', causes);
  return warnings;
}
