/*
 * Plays the operator: not yet.
 */
import type { Controller } from '../types';

/** The simulated operator's controller. */
export function zalandoController(): Controller {
  return { name: 'zalando', reconcile: () => undefined };
}
