/*
 * A mock auditor that records each event it was asked to create, with its
 * id, meta and outcome, for tests of the failover requests' audit trail.
 */
import { mockServices } from '@backstage/backend-test-utils';

/** One recorded audit event; `outcome` is set once it succeeded or failed. */
export interface RecordedAuditEvent {
  eventId: string;
  meta?: any;
  outcome?: 'success' | 'fail';
}

/** An auditor mock that pushes every event it creates onto `events`. */
export function recordingAuditor(events: RecordedAuditEvent[]) {
  return mockServices.auditor.mock({
    createEvent: async (opts: any) => {
      const entry: RecordedAuditEvent = {
        eventId: opts.eventId,
        meta: opts.meta,
      };
      events.push(entry);
      return {
        success: async () => {
          entry.outcome = 'success';
        },
        fail: async () => {
          entry.outcome = 'fail';
        },
      };
    },
  });
}
