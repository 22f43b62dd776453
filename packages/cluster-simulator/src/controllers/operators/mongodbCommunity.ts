/*
 * Plays the operator: not yet.
 */
import type { Controller } from '../types';

/** The simulated operator's controller. */
export function mongodbCommunityController(): Controller {
  return { name: 'mongodbCommunity', reconcile: () => undefined };
}
