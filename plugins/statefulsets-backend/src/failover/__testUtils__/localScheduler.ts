/*
 * Backstage's own scheduler (DefaultSchedulerService) for tests and test
 * processes that run a failover engine without a whole backend: its local
 * tasks run on their timers exactly as in a backend. Global tasks would
 * need the scheduler's tables, which this one does not have.
 */
import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import type { MetricsService } from '@backstage/backend-plugin-api/alpha';
import { DefaultSchedulerService } from '@backstage/backend-defaults/scheduler';

const instrument = {
  add: () => undefined,
  record: () => undefined,
  addCallback: () => undefined,
  removeCallback: () => undefined,
};

/** Metrics whose every instrument records nothing. */
const noMetrics = new Proxy(
  {},
  { get: () => () => instrument },
) as MetricsService;

/** A scheduler for local tasks; its tasks end with the signal they were scheduled with. */
export function localScheduler(logger: LoggerService): SchedulerService {
  return DefaultSchedulerService.create({
    database: {
      getClient: async () => {
        throw new Error('this scheduler runs local tasks only');
      },
    },
    logger,
    metrics: noMetrics,
    rootLifecycle: {
      addStartupHook: () => undefined,
      addBeforeShutdownHook: () => undefined,
      addShutdownHook: () => undefined,
    },
    httpRouter: { use: () => undefined, addAuthPolicy: () => undefined },
    pluginMetadata: { getId: () => 'multicluster-statefulsets' },
  });
}
