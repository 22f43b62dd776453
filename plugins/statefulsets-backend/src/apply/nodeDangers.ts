/*
 * Pod settings that reach the node (host namespaces, privileged containers,
 * host paths and ports, added capabilities, volume sources outside the
 * namespace), found wherever they sit in a manifest, overrides included.
 */

/** Volume sources of a pod that stay inside the pod's namespace. */
const POD_VOLUME_SOURCES = [
  'configMap',
  'secret',
  'persistentVolumeClaim',
  'emptyDir',
  'downwardAPI',
  'projected',
];

/** Pod-level flags that share the node's namespaces. */
const HOST_FLAGS = ['hostNetwork', 'hostPID', 'hostIPC'];

/** Path segments of an override that would set a node-reaching setting. */
const POINTER_DANGERS = [
  ...HOST_FLAGS,
  'privileged',
  'allowPrivilegeEscalation',
  'hostPath',
  'hostPort',
  'capabilities',
];

/**
 * Finds settings that reach the node anywhere in an object: pod specs sit at
 * different depths in a StatefulSet, a FederatedStatefulSet's template and
 * the values of KubeFed and Karmada overrides, so the whole tree is walked.
 */
export function nodeDangers(value: unknown, path = ''): string[] {
  const found: string[] = [];
  const checkVolumes = (volumes: unknown[], p: string) => {
    volumes.forEach((vol, i) => {
      const sources = Object.keys((vol ?? {}) as object).filter(
        k => k !== 'name',
      );
      // hostPath is reported where its key is found.
      const other = sources.filter(
        s => !POD_VOLUME_SOURCES.includes(s) && s !== 'hostPath',
      );
      if (other.length > 0) {
        found.push(`${p}[${i}]: ${other.join(', ')} volume`);
      }
    });
  };
  const walk = (v: unknown, p: string) => {
    if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, `${p}[${i}]`));
      return;
    }
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    for (const flag of HOST_FLAGS) {
      if (o[flag] === true) found.push(`${p}.${flag}: true`);
    }
    if (o.privileged === true) found.push(`${p}.privileged: true`);
    if (o.allowPrivilegeEscalation === true) {
      found.push(`${p}.allowPrivilegeEscalation: true`);
    }
    if (o.hostPath !== undefined) found.push(`${p}.hostPath`);
    if (o.hostPort !== undefined) found.push(`${p}.hostPort`);
    const caps = o.capabilities as Record<string, unknown> | undefined;
    if (caps && Array.isArray(caps.add) && caps.add.length > 0) {
      found.push(`${p}.capabilities.add: ${caps.add.join(', ')}`);
    }
    if (Array.isArray(o.volumes)) checkVolumes(o.volumes, `${p}.volumes`);
    // JSON-pointer overrides (KubeFed clusterOverrides, Karmada plaintext)
    // can add the same settings by path instead of by value.
    if (typeof o.path === 'string' && ('op' in o || 'operator' in o)) {
      const segments = o.path.split('/');
      if (segments.some(s => POINTER_DANGERS.includes(s))) {
        found.push(`${p}.path: ${o.path}`);
      }
      if (segments.at(-1) === 'volumes' && Array.isArray(o.value)) {
        checkVolumes(o.value, `${p}.value`);
      } else if (segments.at(-2) === 'volumes') {
        checkVolumes([o.value], `${p}.value`);
      }
    }
    for (const [k, child] of Object.entries(o)) walk(child, `${p}.${k}`);
  };
  walk(value, path);
  return found;
}
