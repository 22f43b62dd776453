/*
 * What a process in an emulated container reads of its environment and
 * mounted files: env values (literal, or from a Secret or ConfigMap key)
 * and files under a Secret or ConfigMap volume, so credentials reach a
 * program the way Kubernetes hands them to the container.
 */
import type { KubeObject } from '../../controllers/types';
import type { ClusterStore } from '../../store/ClusterStore';

function keyOf(
  store: ClusterStore,
  ns: string | undefined,
  ref: { name?: string; key?: string } | undefined,
  kind: 'Secret' | 'ConfigMap',
): string | undefined {
  if (!ref?.name || !ref.key) return undefined;
  const obj: any = store.peek('', kind, ns, ref.name);
  if (kind === 'ConfigMap') return obj?.data?.[ref.key];
  const b64 = obj?.data?.[ref.key];
  if (typeof b64 === 'string') return Buffer.from(b64, 'base64').toString();
  return obj?.stringData?.[ref.key];
}

/** A container's environment variable, resolved as the kubelet would. */
export function containerEnv(
  store: ClusterStore,
  pod: KubeObject,
  container: { env?: any[] },
  name: string,
): string | undefined {
  const e = (container.env ?? []).find((v: any) => v?.name === name);
  if (!e) return undefined;
  if (typeof e.value === 'string') return e.value;
  const ns = pod.metadata.namespace;
  return (
    keyOf(store, ns, e.valueFrom?.secretKeyRef, 'Secret') ??
    keyOf(store, ns, e.valueFrom?.configMapKeyRef, 'ConfigMap')
  );
}

/** A file under a Secret or ConfigMap volume of the container, if mounted. */
export function mountedFile(
  store: ClusterStore,
  pod: KubeObject,
  container: { name: string },
  path: string,
): string | undefined {
  const spec = pod.spec ?? {};
  const c = (spec.containers ?? []).find(
    (x: any) => x?.name === container.name,
  );
  for (const m of c?.volumeMounts ?? []) {
    const mount = String(m?.mountPath ?? '').replace(/\/$/, '');
    let key: string | undefined;
    if (m.subPath) key = path === mount ? m.subPath : undefined;
    else if (path.startsWith(`${mount}/`)) key = path.slice(mount.length + 1);
    if (!key) continue;
    const vol = (spec.volumes ?? []).find((v: any) => v?.name === m.name);
    const ns = pod.metadata.namespace;
    if (vol?.secret?.secretName) {
      return keyOf(store, ns, { name: vol.secret.secretName, key }, 'Secret');
    }
    if (vol?.configMap?.name) {
      return keyOf(store, ns, { name: vol.configMap.name, key }, 'ConfigMap');
    }
  }
  return undefined;
}
