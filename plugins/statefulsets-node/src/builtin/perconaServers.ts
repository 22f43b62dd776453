/*
 * The PXC provider's work inside the servers and on the channels: a
 * server's state as the operator leaves it, the replication pod a site
 * replicates through, waiting until the operator has made every pxc pod of
 * a site read_only (or writable), pointing a site's channels at another
 * site, and refusing sites that have diverged.
 */
import { FailoverCallContext, FailoverSide, pollUntil } from '../failover';
import { requireSideStamped } from './GenericStatefulSetProvider';
import { gtidDifference } from './gtidSet';
import { MysqlServer } from './mysqlExec';
import { readServerState, ServerState } from './mysqlState';
import {
  followsHosts,
  loadPxcSite,
  notExposedMessage,
  patchChannels,
  publishedSources,
  pxcServers,
  PxcChannel,
  PxcSite,
  replicaChannels,
  replicationServer,
} from './perconaSites';

/** How long and how often the provider waits for the operator. */
export interface OperatorWait {
  timeoutMs: number;
  intervalMs: number;
  ctx: FailoverCallContext;
}

/** A pxc server's state; super_read_only counts as read_only (the operator sets both). */
export async function pxcState(
  s: MysqlServer,
  ctx: FailoverCallContext,
): Promise<ServerState> {
  const state = await readServerState(s, ctx);
  return { ...state, readOnly: state.readOnly || state.superReadOnly };
}

/** The site's replication pod's server. */
export async function replicationPodServer(
  site: PxcSite,
): Promise<MysqlServer> {
  return replicationServer(site, await pxcServers(site));
}

/** Polls until every pxc pod of a site is (or is not) read_only. */
export async function waitSiteReadOnly(
  site: PxcSite,
  readOnly: boolean,
  wait: OperatorWait,
): Promise<void> {
  const servers = await pxcServers(site);
  let last = '';
  await pollUntil(
    async () => {
      const states = await Promise.all(
        servers.map(s => pxcState(s, wait.ctx).catch(() => undefined)),
      );
      const off = servers.filter((_, i) => states[i]?.readOnly !== readOnly);
      last = off.map(s => s.pod).join(', ');
      return off.length ? undefined : true;
    },
    {
      timeoutMs: wait.timeoutMs,
      intervalMs: wait.intervalMs,
      signal: wait.ctx.signal,
      describe: () =>
        `the operator in ${site.side.cluster} did not make ${last} ${
          readOnly ? 'read_only' : 'writable'
        }; check the operator's log and the resource's status`,
    },
  );
}

/** Points `site`'s channels at `to`'s published hosts, unless they already are. */
export async function followSite(
  site: PxcSite,
  to: PxcSite,
): Promise<PxcChannel[]> {
  const sources = await publishedSources(to);
  if (!sources.length) throw new Error(notExposedMessage(to));
  if (!site.channels.length) {
    throw new Error(
      `PerconaXtraDBCluster ${site.resource.metadata.name} in ${site.side.cluster} has no spec.pxc.replicationChannels; cross-site replication is not set up there`,
    );
  }
  if (!followsHosts(site.channels, sources)) {
    await patchChannels(site, replicaChannels(site.channels, sources));
  }
  return site.channels;
}

/** Refuses when `old` executed transactions `primary` never did. */
export async function requireSitesAgree(
  old: PxcSite,
  primary: PxcSite,
  ctx: FailoverCallContext,
): Promise<void> {
  const [o, p] = await Promise.all([
    replicationPodServer(old).then(s => pxcState(s, ctx)),
    replicationPodServer(primary).then(s => pxcState(s, ctx)),
  ]);
  const errant = gtidDifference(o.gtidExecuted, p.gtidExecuted);
  if (errant.transactions > 0) {
    throw new Error(
      `${old.side.cluster} has ${errant.transactions} transaction(s) that ${primary.side.cluster} never executed (${errant.gtids}); the sites have diverged. Keep ${old.side.cluster} a replica, then apply those transactions on ${primary.side.cluster} or rebuild ${old.side.cluster} from a backup of ${primary.side.cluster}`,
    );
  }
}

/** The side's site; refuses a workload not stamped for the run's entity. */
export async function stampedSite(
  side: FailoverSide,
  ctx: FailoverCallContext,
): Promise<PxcSite | undefined> {
  const site = await loadPxcSite(side);
  if (site) requireSideStamped(side, site.workload, ctx);
  return site;
}

/** Both sides' sites, or undefined when either is not a PXC (the fallback acts). */
export async function stampedSites(
  a: FailoverSide,
  b: FailoverSide,
  ctx: FailoverCallContext,
): Promise<[PxcSite, PxcSite] | undefined> {
  const [x, y] = await Promise.all([stampedSite(a, ctx), stampedSite(b, ctx)]);
  return x && y ? [x, y] : undefined;
}
