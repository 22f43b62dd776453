/*
 * The Secrets, ConfigMaps and claims a manifest reads (mounts, env, TLS
 * keys), found wherever they are named.
 */

/** An object of the entity's namespace that a manifest reads (mounts, env, TLS keys). */
export interface ReferencedObject {
  kind: 'Secret' | 'ConfigMap' | 'PersistentVolumeClaim';
  name: string;
}

/** Keys whose value `{ name }` names a Secret: env, envFrom and CloudNativePG's key pairs. */
const SECRET_REF_KEYS = [
  'secretKeyRef',
  'secretRef',
  'sslKey',
  'sslCert',
  'sslRootCert',
  'superuserSecret',
  'password',
];

/** CloudNativePG's certificate Secrets, named by a plain string under `spec.certificates`. */
const CERTIFICATE_SECRET_KEYS = [
  'serverCASecret',
  'serverTLSSecret',
  'clientCASecret',
  'replicationTLSSecret',
];

/**
 * The Secrets, ConfigMaps and claims a manifest refers to. In a shared
 * namespace a pod can mount any of them, so the apply checks that none is
 * stamped for another entity.
 */
export function referencedObjects(value: unknown): ReferencedObject[] {
  const found = new Map<string, ReferencedObject>();
  const add = (kind: ReferencedObject['kind'], name: unknown) => {
    if (typeof name === 'string' && name) {
      found.set(`${kind}/${name}`, { kind, name });
    }
  };
  const walk = (v: unknown) => {
    if (Array.isArray(v)) {
      v.forEach(walk);
      return;
    }
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, any>;
    for (const key of SECRET_REF_KEYS) {
      if (o[key] && typeof o[key] === 'object') add('Secret', o[key].name);
    }
    if (o.certificates && typeof o.certificates === 'object') {
      for (const key of CERTIFICATE_SECRET_KEYS) {
        add('Secret', o.certificates[key]);
      }
    }
    if (o.configMapKeyRef) add('ConfigMap', o.configMapKeyRef.name);
    if (o.configMapRef) add('ConfigMap', o.configMapRef.name);
    // Volume sources: `secret.secretName` in a pod, `secret.name` in a projection.
    if (o.secret && typeof o.secret === 'object') {
      add('Secret', o.secret.secretName ?? o.secret.name);
    }
    if (o.configMap && typeof o.configMap === 'object') {
      add('ConfigMap', o.configMap.name);
    }
    if (
      o.persistentVolumeClaim &&
      typeof o.persistentVolumeClaim === 'object'
    ) {
      add('PersistentVolumeClaim', o.persistentVolumeClaim.claimName);
    }
    Object.values(o).forEach(walk);
  };
  walk(value);
  return [...found.values()];
}
