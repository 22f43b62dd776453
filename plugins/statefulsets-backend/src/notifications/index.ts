/*
 * Owner notifications: failover runs that ended, readiness drops and
 * unreachable clusters, sent to an entity's owners.
 */
export { OwnerNotifier, reachabilityOf } from './OwnerNotifier';
export type { OwnerNotifierOptions } from './OwnerNotifier';
export { EpisodeTracker } from './EpisodeTracker';
export type {
  ClusterReachability,
  EpisodeTrackerOptions,
  OwnerEvent,
} from './EpisodeTracker';
export {
  episodeNotification,
  multiClusterLink,
  NOTIFICATION_TOPIC,
  runEndedNotification,
} from './ownerNotifications';
export { readNotificationOptions } from './readNotificationOptions';
export type { NotificationOptions } from './readNotificationOptions';
