/*
 * How a broken template rule is reported: one InputError that names the
 * field, says what is wrong and how to fix it, so whoever fills in the
 * template knows what to change without reading the generator.
 */
import { InputError } from '@backstage/errors';

/** Throws the InputError of a broken rule. */
export function fail(field: string, problem: string, fix: string): never {
  throw new InputError(`${field}: ${problem}; ${fix}`);
}
