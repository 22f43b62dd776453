/*
 * Plays the operator: not yet.
 */
import type { Controller } from '../types';

/** The simulated operator's controller. */
export function perconaController(): Controller {
  return { name: 'percona', reconcile: () => undefined };
}
