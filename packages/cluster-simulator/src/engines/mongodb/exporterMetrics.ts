/*
 * What mongodb_exporter publishes of each emulated member's replica set
 * state: `mongodb_rs_myState` (1 PRIMARY, 2 SECONDARY, 10 REMOVED) per pod,
 * computed from the emulator's state by the same election rules an exec
 * sees, so a switchover done through exec shows in `/metrics` without any
 * exec. Reading never writes any member's state.
 */
import type { KubeObject } from '../../controllers/types';
import type { ClusterStore } from '../../store/ClusterStore';
import type { PeerDirectory } from '../programs';
import { memberWorld } from './emulator';
import { isMongoImage } from './members';
import { observe } from './state';

const MY_STATE = 'mongodb_rs_myState';

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function exported(pod: KubeObject): string | undefined {
  if (pod.status?.phase !== 'Running') return undefined;
  const runsMongo = (pod.spec?.containers ?? []).some((c: any) =>
    isMongoImage(String(c?.image ?? '')),
  );
  if (!runsMongo) return undefined;
  return pod.metadata.ownerReferences?.find(
    (o: any) => o?.kind === 'StatefulSet',
  )?.name;
}

/** The exporter's member-state series of every running MongoDB pod of a cluster. */
export function renderMongodbStateMetrics(
  cluster: string,
  store: ClusterStore,
  now: () => number,
  peers?: PeerDirectory,
): string {
  const lines = [
    `# HELP ${MY_STATE} The replica set member state of this mongod (1 PRIMARY, 2 SECONDARY, 10 REMOVED).`,
    `# TYPE ${MY_STATE} gauge`,
  ];
  for (const pod of store.peekAll('', 'Pod')) {
    const statefulset = exported(pod);
    if (statefulset === undefined) continue;
    const world = memberWorld(store, pod, now, peers, { readOnly: true });
    if (!world) continue;
    const view = observe(world);
    let state = 10;
    if (view.self) state = view.primary === view.self ? 1 : 2;
    const labels = `namespace="${esc(
      pod.metadata.namespace ?? '',
    )}",statefulset="${esc(statefulset)}",pod="${esc(
      pod.metadata.name,
    )}",cluster="${esc(cluster)}",set="${esc(view.config._id)}"`;
    lines.push(`${MY_STATE}{${labels}} ${state}`);
  }
  return `${lines.join('\n')}\n`;
}
