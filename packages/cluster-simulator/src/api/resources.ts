/*
 * The registry of resource types a simulated cluster serves: the built-in
 * Kubernetes kinds this product touches and the kinds CustomResourceDefinitions
 * add. Discovery, routing, OpenAPI and tables are all derived from it.
 */
import type { KubeObject } from '../controllers/types';

/** A printer column as CRDs declare them (`additionalPrinterColumns`). */
export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

/** One servable resource (group, version, plural) and what it supports. */
export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Builtins accept strategic merge patches; custom resources do not. */
  builtin: boolean;
  statusSubresource: boolean;
  scaleSubresource?: {
    specReplicasPath: string;
    statusReplicasPath: string;
    labelSelectorPath?: string;
  };
  /** OpenAPI v3 schema of the whole object, when known. */
  schema?: any;
  printerColumns?: PrinterColumn[];
  /**
   * A view of another kind's storage, converted on the way in and out (as
   * events.k8s.io/v1 Events are the core v1 Events); such views answer
   * create, get, list and watch.
   */
  storedAs?: { group: string; version: string; kind: string };
  /** Read-only kinds (metrics) answer only get/list. */
  readOnly?: boolean;
  /** Kinds that carry metadata.generation (objects with a spec). */
  hasGeneration: boolean;
}

/** `group/version`, or `version` for the core group. */
export function apiVersionOf(r: { group: string; version: string }): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** Splits an apiVersion into group and version. */
export function parseApiVersion(apiVersion: string): {
  group: string;
  version: string;
} {
  const i = apiVersion.indexOf('/');
  return i < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** The version-independent storage key of a kind. */
export function groupKindKey(group: string, kind: string): string {
  return `${group}/${kind}`;
}

function builtin(
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  extra: Partial<ResourceType> = {},
): ResourceType {
  return {
    group,
    version,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    builtin: true,
    statusSubresource: false,
    hasGeneration: false,
    ...extra,
  };
}

const withStatus = { statusSubresource: true, hasGeneration: true };

/** The built-in kinds every simulated cluster serves. */
export function builtinResources(): ResourceType[] {
  return [
    builtin('', 'v1', 'Namespace', 'namespaces', false, {
      shortNames: ['ns'],
      statusSubresource: true,
    }),
    builtin('', 'v1', 'Node', 'nodes', false, {
      shortNames: ['no'],
      statusSubresource: true,
    }),
    builtin('', 'v1', 'Pod', 'pods', true, {
      shortNames: ['po'],
      categories: ['all'],
      ...withStatus,
    }),
    builtin('', 'v1', 'Service', 'services', true, {
      shortNames: ['svc'],
      categories: ['all'],
      statusSubresource: true,
    }),
    builtin('', 'v1', 'Endpoints', 'endpoints', true, {
      shortNames: ['ep'],
      singular: 'endpoints',
    }),
    builtin('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, {
      shortNames: ['pvc'],
      statusSubresource: true,
    }),
    builtin('', 'v1', 'PersistentVolume', 'persistentvolumes', false, {
      shortNames: ['pv'],
      statusSubresource: true,
    }),
    builtin('', 'v1', 'ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
    builtin('', 'v1', 'Secret', 'secrets', true),
    builtin('', 'v1', 'Event', 'events', true, { shortNames: ['ev'] }),
    builtin('', 'v1', 'LimitRange', 'limitranges', true, {
      shortNames: ['limits'],
    }),
    builtin('', 'v1', 'ResourceQuota', 'resourcequotas', true, {
      shortNames: ['quota'],
      statusSubresource: true,
    }),
    builtin('', 'v1', 'ServiceAccount', 'serviceaccounts', true, {
      shortNames: ['sa'],
    }),
    builtin('apps', 'v1', 'StatefulSet', 'statefulsets', true, {
      shortNames: ['sts'],
      categories: ['all'],
      ...withStatus,
      scaleSubresource: {
        specReplicasPath: '.spec.replicas',
        statusReplicasPath: '.status.replicas',
        labelSelectorPath: '.status.selector',
      },
    }),
    builtin('apps', 'v1', 'Deployment', 'deployments', true, {
      shortNames: ['deploy'],
      categories: ['all'],
      ...withStatus,
      scaleSubresource: {
        specReplicasPath: '.spec.replicas',
        statusReplicasPath: '.status.replicas',
      },
    }),
    builtin('apps', 'v1', 'ReplicaSet', 'replicasets', true, {
      shortNames: ['rs'],
      categories: ['all'],
      ...withStatus,
      scaleSubresource: {
        specReplicasPath: '.spec.replicas',
        statusReplicasPath: '.status.replicas',
      },
    }),
    builtin('apps', 'v1', 'DaemonSet', 'daemonsets', true, {
      shortNames: ['ds'],
      categories: ['all'],
      ...withStatus,
    }),
    builtin('apps', 'v1', 'ControllerRevision', 'controllerrevisions', true),
    builtin('batch', 'v1', 'Job', 'jobs', true, {
      categories: ['all'],
      ...withStatus,
    }),
    builtin('batch', 'v1', 'CronJob', 'cronjobs', true, {
      shortNames: ['cj'],
      categories: ['all'],
      ...withStatus,
    }),
    builtin(
      'autoscaling',
      'v2',
      'HorizontalPodAutoscaler',
      'horizontalpodautoscalers',
      true,
      { shortNames: ['hpa'], categories: ['all'], ...withStatus },
    ),
    builtin('events.k8s.io', 'v1', 'Event', 'events', true, {
      shortNames: ['ev'],
      storedAs: { group: '', version: 'v1', kind: 'Event' },
    }),
    builtin('networking.k8s.io', 'v1', 'Ingress', 'ingresses', true, {
      shortNames: ['ing'],
      ...withStatus,
    }),
    builtin(
      'policy',
      'v1',
      'PodDisruptionBudget',
      'poddisruptionbudgets',
      true,
      {
        shortNames: ['pdb'],
        ...withStatus,
      },
    ),
    // RBAC objects: stored and served always, enforced when the world turns RBAC on.
    builtin('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true),
    builtin(
      'rbac.authorization.k8s.io',
      'v1',
      'RoleBinding',
      'rolebindings',
      true,
    ),
    builtin(
      'rbac.authorization.k8s.io',
      'v1',
      'ClusterRole',
      'clusterroles',
      false,
    ),
    builtin(
      'rbac.authorization.k8s.io',
      'v1',
      'ClusterRoleBinding',
      'clusterrolebindings',
      false,
    ),
    builtin('metrics.k8s.io', 'v1beta1', 'PodMetrics', 'pods', true, {
      singular: '',
      readOnly: true,
    }),
    builtin('metrics.k8s.io', 'v1beta1', 'NodeMetrics', 'nodes', false, {
      singular: '',
      readOnly: true,
    }),
    builtin(
      'apiextensions.k8s.io',
      'v1',
      'CustomResourceDefinition',
      'customresourcedefinitions',
      false,
      {
        shortNames: ['crd', 'crds'],
        categories: ['api-extensions'],
        statusSubresource: true,
        hasGeneration: true,
      },
    ),
  ];
}

/** CRD schemas leave out apiVersion, kind and metadata; every object has them. */
function withObjectMeta(schema: any): any {
  if (!schema || typeof schema !== 'object') return schema;
  const open = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return {
    ...schema,
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: open,
      ...schema.properties,
    },
  };
}

/** The resource types one CustomResourceDefinition adds (one per served version). */
export function resourcesFromCrd(crd: KubeObject): ResourceType[] {
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  const out: ResourceType[] = [];
  for (const v of spec.versions ?? []) {
    if (v.served === false) continue;
    const sub = v.subresources ?? {};
    out.push({
      group: spec.group,
      version: v.name,
      kind: names.kind,
      listKind: names.listKind ?? `${names.kind}List`,
      plural: names.plural,
      singular: names.singular ?? String(names.kind).toLowerCase(),
      namespaced: spec.scope !== 'Cluster',
      shortNames: names.shortNames,
      categories: names.categories,
      builtin: false,
      statusSubresource: !!sub.status,
      scaleSubresource: sub.scale
        ? {
            specReplicasPath: sub.scale.specReplicasPath,
            statusReplicasPath: sub.scale.statusReplicasPath,
            labelSelectorPath: sub.scale.labelSelectorPath,
          }
        : undefined,
      schema: withObjectMeta(v.schema?.openAPIV3Schema),
      printerColumns: v.additionalPrinterColumns,
      hasGeneration: true,
    });
  }
  return out;
}

/** Looks resource types up by URL parts or by kind. */
export class ResourceRegistry {
  #types: ResourceType[] = [];

  constructor(types: ResourceType[]) {
    this.#types = types;
  }

  /** Every served resource type. */
  all(): ResourceType[] {
    return this.#types;
  }

  /** Replaces the kinds CRDs contribute (builtins stay). */
  setCrdTypes(types: ResourceType[]): void {
    this.#types = [...this.#types.filter(t => t.builtin), ...types];
  }

  /** The type served at /apis/<group>/<version>/<plural>. */
  byPlural(
    group: string,
    version: string,
    plural: string,
  ): ResourceType | undefined {
    return this.#types.find(
      t => t.group === group && t.version === version && t.plural === plural,
    );
  }

  /** The type of an apiVersion/kind pair. */
  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    const { group, version } = parseApiVersion(apiVersion);
    return this.#types.find(
      t => t.group === group && t.version === version && t.kind === kind,
    );
  }

  /** Any served version of a group/kind (storage is version-independent). */
  byGroupKind(group: string, kind: string): ResourceType | undefined {
    return this.#types.find(t => t.group === group && t.kind === kind);
  }

  /** Group → versions served, in registration order. */
  groups(): Map<string, string[]> {
    const m = new Map<string, string[]>();
    for (const t of this.#types) {
      const vs = m.get(t.group) ?? [];
      if (!vs.includes(t.version)) vs.push(t.version);
      m.set(t.group, vs);
    }
    return m;
  }
}
