/*
 * The DNS-1123 label rule, which Kubernetes applies to object names,
 * namespaces and cluster names alike.
 */
import { fail } from './fail';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Fails unless `value` is a DNS-1123 label of at most `max` characters. */
export function checkDnsLabel(field: string, value: string, max: number) {
  if (!DNS_LABEL.test(value) || value.length > max) {
    fail(
      field,
      `"${value}" is not a DNS-1123 label of at most ${max} characters`,
      'use lower-case letters, digits and \'-\', starting and ending with a letter or digit (e.g. "orders-db")',
    );
  }
}
