/*
 * Permission names shown in the UI, taken from the shared permission
 * definitions so messages cannot drift from what the backend enforces.
 */
import { topologyReadPermission } from '@multicluster/backstage-plugin-statefulsets-common';

/** Name of the permission needed to read a topology. */
export const TOPOLOGY_READ_PERMISSION_NAME = topologyReadPermission.name;
