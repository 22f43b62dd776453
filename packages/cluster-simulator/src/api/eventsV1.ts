/*
 * events.k8s.io/v1 Events are the core v1 Events under other field names
 * (kube-apiserver stores one kind and converts). These are the conversions
 * both ways, after k8s.io/kubernetes/pkg/apis/events/v1's.
 */
import type { KubeObject } from '../controllers/types';
import type { StatusCause } from './status';

/** MicroTime as the API writes it: RFC 3339 with microseconds. */
function microTime(t: string | undefined): string | undefined {
  if (!t) return undefined;
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return undefined;
  const micros = /\.(\d{1,6})/.exec(t)?.[1] ?? '';
  return `${d.toISOString().slice(0, 19)}.${micros.padEnd(6, '0')}Z`;
}

/** The object without its undefined fields, as a JSON round trip would give it. */
function withoutUndefined(obj: KubeObject): KubeObject {
  return Object.fromEntries(
    Object.entries(obj).filter(([, v]) => v !== undefined),
  ) as KubeObject;
}

/** A stored core v1 Event as events.k8s.io/v1 serves it. */
export function toEventsV1(stored: KubeObject): KubeObject {
  const core = stored as any;
  const out: KubeObject = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: core.metadata,
    // The API requires eventTime; events recorded the old way only carry
    // first/last timestamps, which upstream leaves as a zero time that strict
    // clients cannot read, so the first time the event was seen stands in.
    eventTime:
      microTime(core.eventTime) ??
      microTime(core.firstTimestamp) ??
      microTime(core.metadata.creationTimestamp),
    regarding: core.involvedObject,
    note: core.message,
    reason: core.reason,
    type: core.type,
    action: core.action,
    related: core.related,
    reportingController: core.reportingComponent || core.source?.component,
    reportingInstance: core.reportingInstance || core.source?.host,
    series: core.series,
    deprecatedSource: core.source,
    deprecatedFirstTimestamp: core.firstTimestamp,
    deprecatedLastTimestamp: core.lastTimestamp,
    deprecatedCount: core.count,
  };
  return withoutUndefined(out);
}

/** An events.k8s.io/v1 Event as the core v1 Event it is stored as. */
export function fromEventsV1(given: KubeObject): KubeObject {
  const ev = given as any;
  const out: KubeObject = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: ev.metadata,
    eventTime: ev.eventTime,
    involvedObject: ev.regarding ?? {},
    message: ev.note,
    reason: ev.reason,
    type: ev.type,
    action: ev.action,
    related: ev.related,
    reportingComponent: ev.reportingController,
    reportingInstance: ev.reportingInstance,
    series: ev.series,
    source: ev.deprecatedSource,
    firstTimestamp: ev.deprecatedFirstTimestamp,
    lastTimestamp: ev.deprecatedLastTimestamp,
    count: ev.deprecatedCount,
  };
  return withoutUndefined(out);
}

/**
 * The checks kube-apiserver makes on a new events.k8s.io/v1 Event (its
 * ValidateEventCreate): the fields that make an event attributable.
 */
export function eventsV1Problems(ev: KubeObject): StatusCause[] {
  const problems: StatusCause[] = [];
  const required = (field: string, v: unknown) => {
    if (typeof v !== 'string' || v === '')
      problems.push({
        field,
        message: 'Required value',
        reason: 'FieldValueRequired',
      });
  };
  required('eventTime', ev.eventTime);
  required('reportingController', ev.reportingController);
  required('reportingInstance', ev.reportingInstance);
  required('action', ev.action);
  required('reason', ev.reason);
  if (ev.type !== 'Normal' && ev.type !== 'Warning')
    problems.push({
      field: 'type',
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: "${
        ev.type ?? ''
      }": supported values: "Normal", "Warning"`,
    });
  if (typeof ev.note === 'string' && Buffer.byteLength(ev.note) > 1024)
    problems.push({
      field: 'note',
      reason: 'FieldValueTooLong',
      message: 'Too long: may not be more than 1024 bytes',
    });
  return problems;
}
