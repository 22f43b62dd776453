import { InputError, NotAllowedError } from '@backstage/errors';
import { describeValidationError, namedFieldErrors } from './fieldErrors';

describe('describeValidationError', () => {
  it.each([
    [
      "request/body must have required property 'entityRef'",
      'entityRef: required',
    ],
    [
      "request/body/clusters/0/manifests/1/metadata must have required property 'name'",
      'clusters[0].manifests[1].metadata.name: required',
    ],
    ['request/body must be object', 'body: expected a JSON object'],
    [
      'request/body/catalogInfo must be object',
      'catalogInfo: expected an object',
    ],
    ['request/body/clusters must be array', 'clusters: expected an array'],
    ['request/body/dryRun must be boolean', 'dryRun: must be a boolean'],
    ['request/body/rpo must be number,null', 'rpo: must be a number or null'],
    [
      'request/body/mode must be equal to one of the allowed values: switchover, failover, drain',
      'mode: must be one of switchover, failover, drain',
    ],
    [
      'request/body/clusters must NOT have fewer than 1 items',
      'clusters: required, a non-empty array',
    ],
    [
      'request/body/targetCluster must NOT have fewer than 1 characters',
      'targetCluster: required, a non-empty string',
    ],
    [
      'request/body/clusters must NOT have fewer than 2 items',
      'clusters: must have at least 2 items',
    ],
    [
      'request/body/targetCluster must NOT have more than 253 characters',
      'targetCluster: at most 253 characters, shorten it',
    ],
    [
      'request/body/clusters/0/manifests must NOT have more than 500 items',
      'clusters[0].manifests: at most 500 items, shorten it',
    ],
    [
      'request/params/kind must match pattern "^[A-Za-z][A-Za-z0-9-]{0,62}$"',
      'kind: must be an entity kind such as component (letters, digits and dashes)',
    ],
    [
      'request/body/entityRef must match pattern "^x$"',
      'entityRef: must be an entity reference kind:namespace/name, e.g. component:default/orders-db',
    ],
    [
      'request/body/other must match pattern "^x$"',
      'other: must match pattern "^x$"',
    ],
    [
      'request/body/metadata/annotations/a~1b must be string',
      'metadata.annotations.a/b: must be a string',
    ],
    [
      'request/params/kind must match pattern "x", request/body/mode must be equal to one of the allowed values: a, b',
      'kind: must be an entity kind such as component (letters, digits and dashes); mode: must be one of a, b',
    ],
    ["Unknown query parameter 'foo'", 'foo: unknown query parameter'],
  ])('%s', (message, expected) => {
    expect(describeValidationError(message)).toBe(expected);
  });

  it('leaves other messages alone', () => {
    expect(
      describeValidationError('unsupported media type text/plain'),
    ).toBeUndefined();
    expect(
      describeValidationError('targetCluster: unknown cluster "mars"'),
    ).toBeUndefined();
  });
});

describe('namedFieldErrors', () => {
  const handle = (err: unknown) => {
    const next = jest.fn();
    namedFieldErrors()(err, {} as any, {} as any, next);
    return next.mock.calls[0][0];
  };

  it('rewords validation errors as input errors', () => {
    const err = handle(new InputError('request/body/dryRun must be boolean'));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe('dryRun: must be a boolean');
  });

  it('passes every other error on untouched', () => {
    const denied = new NotAllowedError('request/body must be object');
    expect(handle(denied)).toBe(denied);
    const own = new InputError('confirm: type the entity name');
    expect(handle(own)).toBe(own);
  });
});
