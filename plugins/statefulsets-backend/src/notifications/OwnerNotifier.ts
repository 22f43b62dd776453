/*
 * Tells a database's owners, through Backstage's notifications, when a
 * failover run of it ended, when its DR readiness dropped and when a
 * cluster it runs in stopped answering. The engine and the topology
 * service report to it; with each topology, and on a timer (`check()`),
 * it looks at the clusters and sends what became due. The decisions are EpisodeTracker's; the wording is
 * ownerNotifications.ts'. A failed send is logged, never thrown: a
 * notification must not break a failover or a topology read.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  NotificationSendOptions,
  NotificationService,
} from '@backstage/plugin-notifications-node';
import {
  ClusterHealth,
  EntityTopology,
  FailoverRun,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { ClusterReachability, EpisodeTracker } from './EpisodeTracker';
import {
  episodeNotification,
  runEndedNotification,
} from './ownerNotifications';
import {
  NotificationOptions,
  readNotificationOptions,
} from './readNotificationOptions';

/** What `OwnerNotifier.create` needs. */
export interface OwnerNotifierOptions {
  notifications: NotificationService;
  logger: LoggerService;
  options: Omit<NotificationOptions, 'enabled'>;
  /** The health of every configured cluster, as its watch cache reports it. */
  clusters: () => ClusterHealth[];
  now?: () => number;
}

/** A cluster counts as unreachable while its last error says it did not answer. */
export function reachabilityOf(health: ClusterHealth): ClusterReachability {
  const error = health.lastError;
  return error && (error.reason === 'unreachable' || error.reason === 'timeout')
    ? {
        name: health.name,
        unreachable: { reason: error.reason, message: error.message },
      }
    : { name: health.name };
}

/** Sends the owner notifications of failover runs, readiness and cluster reachability. */
export class OwnerNotifier {
  readonly #notifications: NotificationService;
  readonly #logger: LoggerService;
  readonly #tracker: EpisodeTracker;
  readonly #clusters: () => ClusterHealth[];
  readonly #now: () => number;
  /** How often `check()` should run: a quarter of the shorter threshold, 1 to 30 s. */
  readonly checkIntervalMs: number;

  private constructor(options: OwnerNotifierOptions) {
    this.#notifications = options.notifications;
    this.#logger = options.logger;
    this.#tracker = new EpisodeTracker(options.options);
    this.#clusters = options.clusters;
    this.#now = options.now ?? Date.now;
    const shorter = Math.min(
      options.options.readinessDebounceMs,
      options.options.clusterUnreachableAfterMs,
    );
    this.checkIntervalMs = Math.min(30_000, Math.max(1000, shorter / 4));
  }

  /** Creates the notifier; schedule `check()` every `checkIntervalMs` to have time-based episodes told. */
  static create(options: OwnerNotifierOptions): OwnerNotifier {
    return new OwnerNotifier(options);
  }

  /** The notifier configured under `multiclusterStatefulsets.notifications`; undefined when turned off. */
  static fromConfig(
    config: Config,
    options: Omit<OwnerNotifierOptions, 'options'>,
  ): OwnerNotifier | undefined {
    const settings = readNotificationOptions(config);
    if (!settings.enabled) return undefined;
    return new OwnerNotifier({ ...options, options: settings });
  }

  /** Tells the owners how a failover run ended. */
  async runEnded(run: FailoverRun): Promise<void> {
    const notification = runEndedNotification(run);
    if (notification) await this.#send(notification);
  }

  /** Takes an entity's freshly computed topology, and the clusters' reachability, into account. */
  async topologyComputed(topology: EntityTopology): Promise<void> {
    this.#tracker.observeTopology(topology, this.#now());
    await this.check();
  }

  /** Looks at the clusters' reachability and sends what became due. */
  async check(): Promise<void> {
    this.#tracker.observeClusters(
      this.#clusters().map(reachabilityOf),
      this.#now(),
    );
    await this.#sendDue();
  }

  async #sendDue(): Promise<void> {
    const now = this.#now();
    for (const event of this.#tracker.due(now)) {
      await this.#send(episodeNotification(event, now));
    }
  }

  async #send(notification: NotificationSendOptions): Promise<void> {
    try {
      await this.#notifications.send(notification);
    } catch (err) {
      this.#logger.warn(
        `Notifying the owners of ${String(
          notification.recipients.type === 'entity'
            ? notification.recipients.entityRef
            : 'everyone',
        )} ("${
          notification.payload.title
        }") failed: ${err}. Is @backstage/plugin-notifications-backend installed in the backend? Set multiclusterStatefulsets.notifications.enabled: false to stop sending.`,
      );
    }
  }
}
