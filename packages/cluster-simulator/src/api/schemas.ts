/*
 * Compact OpenAPI v3 schemas of the built-in kinds: the field names of the
 * structures manifests of this product use, closed so unknown fields are
 * found (`fieldValidation`), with deeper structures left open rather than
 * wrongly rejecting valid manifests. Served in `/openapi/v3` too.
 */

const open = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
const str = { type: 'string' };
const int = { type: 'integer' };
const bool = { type: 'boolean' };
const strMap = { type: 'object', additionalProperties: str };
const strList = { type: 'array', items: str };

function closed(
  names: string[],
  typed: Record<string, unknown> = {},
): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const n of names) properties[n] = typed[n] ?? open;
  for (const [n, s] of Object.entries(typed)) properties[n] = s;
  return { type: 'object', properties };
}

const objectMeta = closed(
  [
    'name',
    'generateName',
    'namespace',
    'selfLink',
    'uid',
    'resourceVersion',
    'generation',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    'ownerReferences',
    'finalizers',
    'managedFields',
  ],
  {
    name: str,
    namespace: str,
    labels: strMap,
    annotations: strMap,
    finalizers: strList,
    ownerReferences: { type: 'array', items: open },
    managedFields: { type: 'array', items: open },
  },
);

const containerPort = closed(
  ['name', 'hostPort', 'containerPort', 'protocol', 'hostIP'],
  {
    containerPort: int,
  },
);
const envVar = closed(['name', 'value', 'valueFrom'], {
  name: str,
  value: str,
});
const volumeMount = closed([
  'name',
  'readOnly',
  'recursiveReadOnly',
  'mountPath',
  'subPath',
  'mountPropagation',
  'subPathExpr',
]);

const container = closed(
  [
    'name',
    'image',
    'command',
    'args',
    'workingDir',
    'ports',
    'envFrom',
    'env',
    'resources',
    'resizePolicy',
    'restartPolicy',
    'restartPolicyRules',
    'volumeMounts',
    'volumeDevices',
    'livenessProbe',
    'readinessProbe',
    'startupProbe',
    'lifecycle',
    'terminationMessagePath',
    'terminationMessagePolicy',
    'imagePullPolicy',
    'securityContext',
    'stdin',
    'stdinOnce',
    'tty',
  ],
  {
    name: str,
    image: str,
    command: strList,
    args: strList,
    ports: { type: 'array', items: containerPort },
    env: { type: 'array', items: envVar },
    volumeMounts: { type: 'array', items: volumeMount },
  },
);

const podSpec = closed(
  [
    'volumes',
    'initContainers',
    'containers',
    'ephemeralContainers',
    'restartPolicy',
    'terminationGracePeriodSeconds',
    'activeDeadlineSeconds',
    'dnsPolicy',
    'nodeSelector',
    'serviceAccountName',
    'serviceAccount',
    'automountServiceAccountToken',
    'nodeName',
    'hostNetwork',
    'hostPID',
    'hostIPC',
    'shareProcessNamespace',
    'securityContext',
    'imagePullSecrets',
    'hostname',
    'subdomain',
    'affinity',
    'schedulerName',
    'tolerations',
    'hostAliases',
    'priorityClassName',
    'priority',
    'dnsConfig',
    'readinessGates',
    'runtimeClassName',
    'enableServiceLinks',
    'preemptionPolicy',
    'overhead',
    'topologySpreadConstraints',
    'setHostnameAsFQDN',
    'os',
    'hostUsers',
    'schedulingGates',
    'resourceClaims',
    'resources',
    'hostnameOverride',
    'workloadRef',
  ],
  {
    containers: { type: 'array', items: container },
    initContainers: { type: 'array', items: container },
    nodeSelector: strMap,
  },
);

const podTemplate = closed([], { metadata: objectMeta, spec: podSpec });
const labelSelector = closed(['matchLabels', 'matchExpressions'], {
  matchLabels: strMap,
});

const pvcSpec = closed(
  [
    'accessModes',
    'selector',
    'resources',
    'volumeName',
    'storageClassName',
    'volumeMode',
    'dataSource',
    'dataSourceRef',
    'volumeAttributesClassName',
  ],
  { accessModes: strList, storageClassName: str, volumeName: str },
);

const pvcTemplate = closed(['status'], {
  apiVersion: str,
  kind: str,
  metadata: objectMeta,
  spec: pvcSpec,
});

const statefulSetSpec = closed(
  [
    'replicas',
    'selector',
    'template',
    'volumeClaimTemplates',
    'serviceName',
    'podManagementPolicy',
    'updateStrategy',
    'revisionHistoryLimit',
    'minReadySeconds',
    'persistentVolumeClaimRetentionPolicy',
    'ordinals',
  ],
  {
    replicas: int,
    selector: labelSelector,
    template: podTemplate,
    serviceName: str,
    volumeClaimTemplates: { type: 'array', items: pvcTemplate },
    ordinals: closed(['start'], { start: int }),
  },
);

const serviceSpec = closed(
  [
    'ports',
    'selector',
    'clusterIP',
    'clusterIPs',
    'type',
    'externalIPs',
    'sessionAffinity',
    'loadBalancerIP',
    'loadBalancerSourceRanges',
    'externalName',
    'externalTrafficPolicy',
    'healthCheckNodePort',
    'publishNotReadyAddresses',
    'sessionAffinityConfig',
    'ipFamilies',
    'ipFamilyPolicy',
    'allocateLoadBalancerNodePorts',
    'loadBalancerClass',
    'internalTrafficPolicy',
    'trafficDistribution',
  ],
  {
    selector: strMap,
    ports: {
      type: 'array',
      items: closed([
        'name',
        'protocol',
        'appProtocol',
        'port',
        'targetPort',
        'nodePort',
      ]),
    },
  },
);

const deploymentSpec = closed(
  [
    'replicas',
    'selector',
    'template',
    'strategy',
    'minReadySeconds',
    'revisionHistoryLimit',
    'paused',
    'progressDeadlineSeconds',
  ],
  { replicas: int, selector: labelSelector, template: podTemplate },
);

function top(extra: Record<string, unknown>): Record<string, unknown> {
  return closed([], {
    apiVersion: str,
    kind: str,
    metadata: objectMeta,
    ...extra,
  });
}

/** The schema of each built-in kind, keyed by `group/Kind`. */
export const BUILTIN_SCHEMAS: Record<string, Record<string, unknown>> = {
  'apps/StatefulSet': top({ spec: statefulSetSpec, status: open }),
  'apps/Deployment': top({ spec: deploymentSpec, status: open }),
  'apps/ReplicaSet': top({ spec: open, status: open }),
  'apps/DaemonSet': top({ spec: open, status: open }),
  '/Pod': top({ spec: podSpec, status: open }),
  '/Service': top({ spec: serviceSpec, status: open }),
  '/PersistentVolumeClaim': top({ spec: pvcSpec, status: open }),
  '/PersistentVolume': top({ spec: open, status: open }),
  '/ConfigMap': top({ data: strMap, binaryData: strMap, immutable: bool }),
  '/Secret': top({
    data: strMap,
    stringData: strMap,
    type: str,
    immutable: bool,
  }),
  '/Namespace': top({ spec: open, status: open }),
  '/Node': top({ spec: open, status: open }),
  '/Endpoints': top({ subsets: { type: 'array', items: open } }),
};

/** The schema of a built-in kind; a permissive one when not modelled. */
export function builtinSchema(
  group: string,
  kind: string,
): Record<string, unknown> {
  return (
    BUILTIN_SCHEMAS[`${group}/${kind}`] ?? {
      ...open,
      properties: { metadata: objectMeta },
    }
  );
}
