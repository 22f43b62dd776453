/*
 * Plays the operator: not yet.
 */
import type { Controller } from '../types';

/** The simulated operator's controller. */
export function eckController(): Controller {
  return { name: 'eck', reconcile: () => undefined };
}
