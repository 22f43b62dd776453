/*
 * The MongoDB rules: a replica set has at most 50 members, and a member's
 * _id (the pod's ordinal, stable while clusters are added or resized) must
 * lie between 0 and 255.
 */
import { ResolvedPlacement } from '../validateRequest';
import { fail } from './fail';

const MAX_MEMBERS = 50;
const MAX_MEMBER_ID = 255;

/** Checks that the clusters' pods can all be members of one replica set. */
export function checkMongodb(clusters: ResolvedPlacement[]): void {
  const members = clusters.reduce((sum, c) => sum + c.replicas, 0);
  if (members > MAX_MEMBERS) {
    fail(
      'clusters[].replicas',
      `a MongoDB replica set has at most ${MAX_MEMBERS} members, but the clusters ask for ${members}`,
      'run fewer replicas per cluster',
    );
  }
  clusters.forEach((c, i) => {
    const last = c.ordinalsStart + c.replicas - 1;
    if (last > MAX_MEMBER_ID) {
      fail(
        `clusters[${i}].ordinalsStart`,
        `${c.name}'s pods reach ordinal ${last}, but a MongoDB member id (the ordinal) is at most ${MAX_MEMBER_ID}`,
        `start ${c.name}'s ordinals at ${
          MAX_MEMBER_ID + 1 - c.replicas
        } or lower, or leave ordinalsStart empty to have it assigned`,
      );
    }
  });
}
