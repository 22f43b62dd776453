/*
 * The core/v1 Events controllers record about objects, for `kubectl
 * describe`. The count kept is bounded, the oldest going first, as
 * upstream's event TTL would remove them.
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../controllers/types';
import { isoSeconds } from '../api/timestamp';
import type { ClusterStore } from './ClusterStore';

/** Records Events into one store. */
export class EventRecorder {
  #store: Pick<ClusterStore, 'create' | 'peek' | 'remove'>;
  #now: () => number;
  #maxEvents: number;
  #recorded: Array<{ ns: string; name: string }> = [];

  constructor(
    store: Pick<ClusterStore, 'create' | 'peek' | 'remove'>,
    now: () => number,
    maxEvents: number,
  ) {
    this.#store = store;
    this.#now = now;
    this.#maxEvents = maxEvents;
  }

  /** Records an Event about an object. */
  record(
    involved: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    component: string,
  ): void {
    const ts = isoSeconds(this.#now());
    const ns = involved.metadata.namespace ?? 'default';
    try {
      const ev = this.#store.create({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: {
          name: `${involved.metadata.name}.${randomUUID()
            .replace(/-/g, '')
            .slice(0, 16)}`,
          namespace: ns,
        },
        involvedObject: {
          apiVersion: involved.apiVersion,
          kind: involved.kind,
          name: involved.metadata.name,
          namespace: involved.metadata.namespace,
          uid: involved.metadata.uid,
          resourceVersion: involved.metadata.resourceVersion,
        },
        reason,
        message,
        type,
        source: { component },
        reportingComponent: component,
        reportingInstance: '',
        firstTimestamp: ts,
        lastTimestamp: ts,
        count: 1,
      });
      this.#recorded.push({ ns, name: ev.metadata.name });
      while (this.#recorded.length > this.#maxEvents) {
        const old = this.#recorded.shift()!;
        if (this.#store.peek('', 'Event', old.ns, old.name)) {
          this.#store.remove('v1', 'Event', old.ns, old.name, {});
        }
      }
    } catch {
      // The namespace may be going away; events are best effort upstream too.
    }
  }
}
