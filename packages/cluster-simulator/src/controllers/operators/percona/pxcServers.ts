/*
 * What the simulated Percona XtraDB Cluster operator does inside mysqld on
 * each reconcile, as the real one does over its own connection: the first
 * replication channel says whether the site is a replica (`isSource:
 * false`) or the source; every pxc pod of a replica site is made read_only
 * and every pod of a source site writable (read_only off, which clears
 * super_read_only too); the replication pod of a replica site (its first
 * ordinal, the pod HAProxy sends writes to, labelled
 * `percona.com/replicationPod`) replicates on the channel from the
 * highest-weight host of `sourcesList`, and a channel the spec no longer
 * names as a replica channel is stopped and removed. The other pods keep
 * following their site's replication pod (the emulator's stand-in for
 * Galera's own replication). The servers' state is the MySQL emulator's,
 * so `mysql` through exec, the exporter series and the lag all see it.
 */
import { storeHost } from '../../../engines/mysql/emulator';
import {
  type MysqlState,
  materialize,
  withWriteClock,
} from '../../../engines/mysql/state';
import type { PeerDirectory } from '../../../engines/programs';
import { ClusterStore } from '../../../store/ClusterStore';
import type { ControllerContext, KubeObject } from '../../types';

/** The label the operator puts on the pod that runs a replica site's channel. */
export const REPLICATION_POD_LABEL = 'percona.com/replicationPod';

/** The user the operator replicates as (its `replication` system user). */
export const REPLICATION_USER = 'replication';

/** How a site stands, from its first replication channel, as the operator reads it. */
export interface PxcSiteIntent {
  replica: boolean;
  channel?: string;
  source?: { host: string; port: number };
}

/** The site's role and, for a replica, its channel and the source it connects to. */
export function siteIntentOf(cr: KubeObject): PxcSiteIntent {
  const channels: any[] = (cr.spec?.pxc?.replicationChannels ?? []).filter(
    Boolean,
  );
  const first = channels[0];
  if (!first || first.isSource !== false) return { replica: false };
  const sources: any[] = (first.sourcesList ?? []).filter(
    (s: any) => typeof s?.host === 'string' && s.host,
  );
  // The highest weight wins; the first listed on a tie.
  const best = sources.reduce<any>(
    (a, s) => (!a || Number(s.weight ?? 0) > Number(a.weight ?? 0) ? s : a),
    undefined,
  );
  return {
    replica: true,
    channel: String(first.name ?? ''),
    source: best && { host: best.host, port: Number(best.port ?? 3306) },
  };
}

function peersOf(ctx: ControllerContext): PeerDirectory {
  return {
    store: name => {
      const s = ctx.clusters.get(name);
      return s instanceof ClusterStore ? s : undefined;
    },
    reachable: (from, to) =>
      !ctx.isDown(to) &&
      !ctx.isPartitioned(from, to) &&
      !ctx.isPartitioned(to, from),
  };
}

/** The state a server should have; undefined when it already has it. */
function desired(
  s: MysqlState,
  intent: PxcSiteIntent,
  replicationPod: boolean,
): MysqlState | undefined {
  let next = s;
  if (intent.replica && !s.readOnly) next = { ...next, readOnly: true };
  if (!intent.replica && s.readOnly) {
    next = { ...next, readOnly: false, superReadOnly: false };
  }
  if (replicationPod) {
    const want = intent.replica ? intent.source : undefined;
    if (want) {
      const same =
        s.source?.host === want.host &&
        s.source.port === want.port &&
        (s.channel ?? '') === intent.channel &&
        s.replicaRunning;
      if (!same) {
        next = {
          ...next,
          source: {
            host: want.host,
            port: want.port,
            user: REPLICATION_USER,
            autoPosition: true,
          },
          channel: intent.channel,
          replicaRunning: true,
        };
      }
    } else if (s.source) {
      // Outdated channel: stopped, its sources removed.
      next = {
        ...next,
        source: undefined,
        channel: undefined,
        replicaRunning: false,
      };
    }
  }
  return next === s ? undefined : next;
}

function setLabel(store: ClusterStore, pod: KubeObject, on: boolean): void {
  const has = pod.metadata.labels?.[REPLICATION_POD_LABEL] === 'true';
  if (has === on) return;
  const labels = { ...pod.metadata.labels };
  if (on) labels[REPLICATION_POD_LABEL] = 'true';
  else delete labels[REPLICATION_POD_LABEL];
  store.update({ ...pod, metadata: { ...pod.metadata, labels } });
}

/** Brings the servers of `<name>-pxc` in line with the resource's replication channels. */
export function reconcilePxcServers(
  ctx: ControllerContext,
  cr: KubeObject,
  stsName: string,
): void {
  const store = ctx.cluster;
  if (!(store instanceof ClusterStore)) return;
  const namespace = cr.metadata.namespace ?? 'default';
  const sts = store.peek('apps', 'StatefulSet', namespace, stsName);
  if (!sts) return;
  const first = Number(sts.spec?.ordinals?.start ?? 0);
  const intent = siteIntentOf(cr);
  const peers = peersOf(ctx);
  const now = ctx.now();
  for (const pod of store.list('v1', 'Pod', namespace)) {
    const owned = pod.metadata.ownerReferences?.some(
      r => r.kind === 'StatefulSet' && r.name === stsName,
    );
    if (!owned || pod.status?.phase !== 'Running') continue;
    const ordinal = Number(
      pod.metadata.labels?.['apps.kubernetes.io/pod-index'],
    );
    const replicationPod = ordinal === first;
    setLabel(store, pod, replicationPod && intent.replica);
    const host = storeHost(store, pod, ctx.now, peers);
    const before = host.load();
    const next = desired(before, intent, replicationPod);
    if (!next) continue;
    // What the server executed so far stays; the change applies from now.
    const kept = materialize(before, host, now);
    host.save(
      withWriteClock(
        {
          ...next,
          gtidExecuted: kept.gtidExecuted,
          writesSinceMs: kept.writesSinceMs,
        },
        now,
      ),
    );
  }
}
