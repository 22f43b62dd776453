/*
 * Query parameters read the way kube-apiserver's parameter codec reads them,
 * so that clients which spell booleans differently (the Python client sends
 * `watch=True`) get the same answer as from a real cluster.
 */
import { badRequest } from './status';

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/**
 * A boolean query parameter as Go's strconv.ParseBool reads it; absent or
 * empty is false, anything else unknown is a 400 as upstream.
 */
export function boolParam(url: URL, name: string): boolean {
  const v = url.searchParams.get(name);
  if (v === null || v === '') return false;
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw badRequest(
    `invalid value for query parameter ${name}: strconv.ParseBool: parsing "${v}": invalid syntax (use true or false)`,
  );
}

/**
 * A resourceVersion query parameter: undefined when absent, else the number.
 * Resource versions are opaque to clients, but this server only ever hands
 * out decimal integers, so anything else cannot have come from it.
 */
export function resourceVersionParam(url: URL): number | undefined {
  const v = url.searchParams.get('resourceVersion');
  if (v === null || v === '') return undefined;
  if (!/^\d+$/.test(v))
    throw badRequest(
      `invalid resource version: "${v}": pass a resourceVersion returned by this server, or none`,
    );
  return Number(v);
}
