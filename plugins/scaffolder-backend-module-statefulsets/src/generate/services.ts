/*
 * The Services of one cluster: the headless one that gives peers their DNS
 * names, and the client-facing ones that carry only the engine's main port.
 */
import { ENGINE_PROFILES } from './engines';
import { commonLabels, selectorLabels } from './labels';
import { podNames } from './naming';
import { KubeObject } from './types';
import { NormalizedRequest, ResolvedPlacement } from './validateRequest';

/** The label the StatefulSet controller sets to each pod's name. */
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';

/** The engine's ports: the client port first, then what replication needs. */
export function ports(r: NormalizedRequest) {
  const profile = ENGINE_PROFILES[r.engine];
  return [{ name: profile.portName, port: r.port }, ...profile.extraPorts];
}

/** A Service of the database; headless ones expose every port, to not-ready pods too. */
export function service(
  r: NormalizedRequest,
  name: string,
  headless: boolean,
  selector: Record<string, string>,
): KubeObject {
  const spec: Record<string, unknown> = {};
  if (headless) {
    spec.clusterIP = 'None';
    // Peers must find each other before they are ready, to form replication.
    spec.publishNotReadyAddresses = true;
  }
  spec.selector = selector;
  spec.ports = (headless ? ports(r) : ports(r).slice(0, 1)).map(p => ({
    name: p.name,
    port: p.port,
    targetPort: p.port,
  }));
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: r.namespace, labels: commonLabels(r) },
    spec,
  };
}

/**
 * The pods a cluster's client-facing Services select. The pods of a MySQL
 * cluster are separate servers and only the first is writable
 * (replication/mysql.ts), so writes must reach that one alone.
 */
export function writableSelector(
  r: NormalizedRequest,
  c: ResolvedPlacement,
): Record<string, string> {
  return r.engine === 'mysql'
    ? { ...selectorLabels(r), [POD_NAME_LABEL]: podNames(r, c)[0] }
    : selectorLabels(r);
}
