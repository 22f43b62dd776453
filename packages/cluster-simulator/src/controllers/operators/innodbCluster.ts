/*
 * Plays the operator: not yet.
 */
import type { Controller } from '../types';

/** The simulated operator's controller. */
export function innodbClusterController(): Controller {
  return { name: 'innodbCluster', reconcile: () => undefined };
}
