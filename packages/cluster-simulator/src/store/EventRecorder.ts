/*
 * The core/v1 Events controllers record about objects, for `kubectl
 * describe`. The count kept is bounded, the oldest going first, as
 * upstream's event TTL would remove them. An event identical to one still
 * stored (same object, type, reason, message and source) bumps that one's
 * count and last timestamp instead, as upstream's event correlator does, so
 * a controller retrying a failing step does not flood the namespace.
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../controllers/types';
import { isoSeconds } from '../api/timestamp';
import type { ClusterStore } from './ClusterStore';

/** Records Events into one store. */
export class EventRecorder {
  #store: Pick<ClusterStore, 'create' | 'peek' | 'remove' | 'replace'>;
  #now: () => number;
  #maxEvents: number;
  #recorded: Array<{ ns: string; name: string; key: string }> = [];
  // The stored Event of each distinct event, by its aggregation key.
  #byKey = new Map<string, { ns: string; name: string }>();

  constructor(
    store: Pick<ClusterStore, 'create' | 'peek' | 'remove' | 'replace'>,
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
    const key = JSON.stringify([
      involved.metadata.uid ?? `${ns}/${involved.metadata.name}`,
      type,
      reason,
      message,
      component,
    ]);
    try {
      const seen = this.#byKey.get(key);
      const prior = seen && this.#store.peek('', 'Event', seen.ns, seen.name);
      if (prior) {
        this.#store.replace(
          {
            ...structuredClone(prior),
            count: Number(prior.count ?? 1) + 1,
            lastTimestamp: ts,
          },
          'main',
        );
        return;
      }
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
      this.#recorded.push({ ns, name: ev.metadata.name, key });
      this.#byKey.set(key, { ns, name: ev.metadata.name });
      while (this.#recorded.length > this.#maxEvents) {
        const old = this.#recorded.shift()!;
        if (this.#byKey.get(old.key)?.name === old.name)
          this.#byKey.delete(old.key);
        if (this.#store.peek('', 'Event', old.ns, old.name)) {
          this.#store.remove('v1', 'Event', old.ns, old.name, {});
        }
      }
    } catch {
      // The namespace may be going away; events are best effort upstream too.
    }
  }
}
