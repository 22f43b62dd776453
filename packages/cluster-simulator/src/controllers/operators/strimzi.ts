/*
 * Plays the operator: not yet.
 */
import type { Controller } from '../types';

/** The simulated operator's controller. */
export function strimziController(): Controller {
  return { name: 'strimzi', reconcile: () => undefined };
}
