import {
  classifyClusterError,
  ClusterRequestError,
} from './ClusterRequestError';

describe('classifyClusterError', () => {
  it.each([
    [Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), 'unreachable'],
    [Object.assign(new Error('x'), { statusCode: 401 }), 'unauthorized'],
    [Object.assign(new Error('x'), { statusCode: 403 }), 'forbidden'],
    [Object.assign(new Error('x'), { statusCode: 500 }), 'error'],
    [Object.assign(new Error('x'), { name: 'TimeoutError' }), 'timeout'],
    [new SyntaxError('Unexpected token'), 'malformed'],
    [new ClusterRequestError('malformed', 'no items'), 'malformed'],
    [new Error('boom'), 'error'],
  ])('classifies %s as %s', (err, reason) => {
    expect(classifyClusterError(err).reason).toBe(reason);
  });
});
