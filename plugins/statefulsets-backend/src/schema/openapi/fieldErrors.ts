/*
 * Request validation errors of the OpenAPI router, reworded so that every
 * message starts with the field it is about (`clusters[0].name: required`),
 * as the plugin's own input errors do: the portal and the scaffolder actions
 * show the message as it is, and a person fixes the field it names.
 */
import { InputError, isError } from '@backstage/errors';
import { ErrorRequestHandler } from 'express';

// The validator reports `request/<location><JSON pointer> <problem>`, several
// of them joined with ", ".
const ERROR = /^request\/(body|params|query|headers|cookies)(\/\S*)? (.+)$/s;

const ARTICLES: Record<string, string> = {
  object: 'an object',
  array: 'an array',
  string: 'a string',
  boolean: 'a boolean',
  number: 'a number',
  integer: 'an integer',
  null: 'null',
};

/** What the spec's patterns mean, for the fields a person types. */
const PATTERN_HINTS: Record<string, string> = {
  entityRef:
    'must be an entity reference kind:namespace/name, e.g. component:default/orders-db',
  kind: 'must be an entity kind such as component (letters, digits and dashes)',
  namespace:
    'must be a catalog namespace: lowercase letters, digits and dashes, e.g. default',
  name: 'must be an entity name: letters, digits, dashes, dots and underscores, at most 63 characters',
};

/** `/clusters/0/manifests/1` → `clusters[0].manifests[1]`. */
function fieldOf(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce(
      (field, part) =>
        /^\d+$/.test(part)
          ? `${field}[${part}]`
          : `${field}${field ? '.' : ''}${part}`,
      '',
    );
}

function typesOf(list: string): string {
  return list
    .split(',')
    .map(t => ARTICLES[t] ?? t)
    .join(' or ');
}

/** One problem as `field: problem`. */
function describeOne(
  location: string,
  pointer: string,
  problem: string,
): string {
  const field = fieldOf(pointer);
  const join = (name: string) => `${field}${field ? '.' : ''}${name}`;
  const required = problem.match(/^must have required property '(.+)'$/);
  if (required) return `${join(required[1])}: required`;
  const at = field || location;
  const type = problem.match(/^must be ([a-z,]+)$/);
  if (type) {
    if (at === 'body' && type[1] === 'object') {
      return 'body: expected a JSON object';
    }
    return ['object', 'array'].includes(type[1])
      ? `${at}: expected ${typesOf(type[1])}`
      : `${at}: must be ${typesOf(type[1])}`;
  }
  const allowed = problem.match(
    /^must be equal to one of the allowed values: (.+)$/s,
  );
  if (allowed) return `${at}: must be one of ${allowed[1]}`;
  if (/^must match pattern /.test(problem) && PATTERN_HINTS[at]) {
    return `${at}: ${PATTERN_HINTS[at]}`;
  }
  const fewer = problem.match(
    /^must NOT have fewer than (\d+) (items|characters)$/,
  );
  if (fewer) {
    const what = fewer[2] === 'items' ? 'array' : 'string';
    return fewer[1] === '1'
      ? `${at}: required, a non-empty ${what}`
      : `${at}: must have at least ${fewer[1]} ${fewer[2]}`;
  }
  const more = problem.match(
    /^must NOT have more than (\d+) (items|characters|properties)$/,
  );
  if (more) return `${at}: at most ${more[1]} ${more[2]}, shorten it`;
  return `${at}: ${problem}`;
}

/**
 * Rewords a request validation message of the OpenAPI validator as
 * `field: problem`; undefined for any other message.
 */
export function describeValidationError(message: string): string | undefined {
  const unknown = message.match(/^Unknown query parameter '(.+)'$/);
  if (unknown) return `${unknown[1]}: unknown query parameter`;
  const parts = message.split(/, (?=request\/)/);
  const described: string[] = [];
  for (const part of parts) {
    const m = part.match(ERROR);
    if (!m) return undefined;
    described.push(describeOne(m[1], m[2] ?? '', m[3]));
  }
  return described.join('; ');
}

/**
 * Error middleware for right after the validator: an input error it raised
 * goes on as an input error naming the field; anything else passes untouched.
 */
export function namedFieldErrors(): ErrorRequestHandler {
  return (err, _req, _res, next) => {
    const message =
      isError(err) && err.name === 'InputError'
        ? describeValidationError(err.message)
        : undefined;
    next(message ? new InputError(message) : err);
  };
}
