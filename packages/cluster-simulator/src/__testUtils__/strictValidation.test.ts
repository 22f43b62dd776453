import type { KubeObject } from '../controllers/types';
import { validateAgainstCrd, type CustomResourceDefinition } from '../crds';
import { runCelRules } from './celRules';
import { validateStrictly } from './strictValidation';

function statefulSet(container: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'data' },
    spec: {
      serviceName: 'db',
      selector: { matchLabels: { app: 'db' } },
      template: {
        metadata: { labels: { app: 'db' } },
        spec: { containers: [{ name: 'db', image: 'postgres', ...container }] },
      },
    },
  };
}

function destinationRule(spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'db', namespace: 'data' },
    spec: { host: 'db.data.svc.cluster.local', ...spec },
  };
}

describe('validateStrictly', () => {
  it('holds built-in kinds to the Kubernetes OpenAPI document, unknown fields included', () => {
    expect(validateStrictly(statefulSet())).toEqual({
      schema: 'kubernetes',
      errors: [],
      celEvaluated: 0,
      unevaluated: [],
    });
    expect(
      validateStrictly(
        statefulSet({ portz: [], ports: [{ containerPort: '5432' }] }),
      ).errors,
    ).toEqual([
      {
        path: 'spec.template.spec.containers[0].portz',
        message: 'unknown field "portz"',
      },
      {
        path: 'spec.template.spec.containers[0].ports[0].containerPort',
        message: 'must be integer',
      },
    ]);
  });

  it('checks int32 ranges and date-times', () => {
    expect(
      validateStrictly(statefulSet({ ports: [{ containerPort: 2 ** 31 }] }))
        .errors,
    ).toEqual([
      {
        path: 'spec.template.spec.containers[0].ports[0].containerPort',
        message: 'must be <= 2147483647',
      },
    ]);
    const condition = (lastTransitionTime: string) => ({
      apiVersion: 'multicluster.x-k8s.io/v1alpha1',
      kind: 'ServiceExport',
      metadata: { name: 'db', namespace: 'data' },
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Ok',
            message: 'ok',
            lastTransitionTime,
          },
        ],
      },
    });
    expect(validateStrictly(condition('2026-01-01T00:00:00Z')).errors).toEqual(
      [],
    );
    expect(
      validateStrictly(condition('yesterday')).errors.map(e => e.path),
    ).toEqual(['status.conditions[0].lastTransitionTime']);
  });

  it('takes a name or a number where Kubernetes takes int-or-string', () => {
    const service = (targetPort: unknown): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'db' },
      spec: { ports: [{ port: 5432, targetPort }] },
    });
    expect(validateStrictly(service('pg')).errors).toEqual([]);
    expect(validateStrictly(service(5432)).errors).toEqual([]);
    expect(validateStrictly(service(true)).errors).toContainEqual({
      path: 'spec.ports[0].targetPort',
      message: 'must match exactly one schema in oneOf',
    });
  });

  it('holds custom resources to the upstream CRD, metadata to ObjectMeta', () => {
    const dr = destinationRule({ subsetz: [] });
    dr.metadata.label = { a: 'b' };
    expect(validateStrictly(dr)).toMatchObject({
      schema: 'crd',
      errors: [
        { path: 'spec.subsetz', message: 'unknown field "subsetz"' },
        { path: 'metadata.label', message: 'unknown field "label"' },
      ],
    });
  });

  it('runs the CRD’s CEL rules', () => {
    const tcp = (connectTimeout: string) =>
      destinationRule({
        trafficPolicy: { connectionPool: { tcp: { connectTimeout } } },
      });
    expect(validateStrictly(tcp('1s'))).toMatchObject({
      errors: [],
      celEvaluated: 1,
    });
    expect(validateStrictly(tcp('0s')).errors).toEqual([
      {
        path: 'spec.trafficPolicy.connectionPool.tcp.connectTimeout',
        message: 'must be a valid duration greater than 1ms',
      },
    ]);
  });

  it('holds every KubeFed federated type to the schema kubefedctl gives them all', () => {
    const federatedNamespace = (spec: Record<string, unknown>): KubeObject => ({
      apiVersion: 'types.kubefed.io/v1beta1',
      kind: 'FederatedNamespace',
      metadata: { name: 'data', namespace: 'data' },
      spec: { placement: { clusters: [{ name: 'eu-west' }] }, ...spec },
    });
    expect(validateStrictly(federatedNamespace({}))).toMatchObject({
      schema: 'crd',
      errors: [],
    });
    expect(
      validateStrictly(federatedNamespace({ retainReplicas: true })).errors,
    ).toEqual([
      {
        path: 'spec.retainReplicas',
        message: 'unknown field "retainReplicas"',
      },
    ]);
  });

  it('holds kustomizations to the kustomize schema', () => {
    const kustomization = (extra: Record<string, unknown>) =>
      ({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: ['statefulset.yaml'],
        ...extra,
      } as unknown as KubeObject);
    expect(validateStrictly(kustomization({}))).toMatchObject({
      schema: 'kustomize',
      errors: [],
    });
    expect(validateStrictly(kustomization({ resource: [] })).errors).toEqual([
      { path: 'resource', message: 'unknown field "resource"' },
    ]);
  });

  it('refuses duplicates in the CRD’s map lists', () => {
    const condition = {
      type: 'Ready',
      status: 'True',
      reason: 'Ok',
      message: 'ok',
      lastTransitionTime: '2026-01-01T00:00:00Z',
    };
    const serviceExport = (conditions: unknown[]): KubeObject => ({
      apiVersion: 'multicluster.x-k8s.io/v1alpha1',
      kind: 'ServiceExport',
      metadata: { name: 'db', namespace: 'data' },
      status: { conditions },
    });
    expect(validateStrictly(serviceExport([condition])).errors).toEqual([]);
    expect(
      validateStrictly(
        serviceExport([condition, { ...condition, status: 'False' }]),
      ).errors,
    ).toEqual([
      {
        path: 'status.conditions[1]',
        message: 'Duplicate value: {"type":"Ready"}',
      },
    ]);
  });

  it('leaves kinds no upstream schema describes alone, saying so', () => {
    expect(
      validateStrictly({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'db' },
      }).schema,
    ).toBe('none');
  });
});

describe('runCelRules', () => {
  const rules = (...list: string[]) =>
    list.map(rule => ({ rule, message: `broke ${rule}` }));

  it('reads integers as CEL ints and reports a failed rule with its message', () => {
    const schema = {
      type: 'object',
      properties: {
        port: {
          type: 'integer',
          'x-kubernetes-validations': rules('0 < self && self <= 65535'),
        },
      },
    };
    expect(runCelRules(schema, { port: 80 })).toEqual({
      violations: [],
      unevaluated: [],
      evaluated: 1,
    });
    expect(runCelRules(schema, { port: 70000 }).violations).toEqual([
      { path: 'port', message: 'broke 0 < self && self <= 65535' },
    ]);
  });

  it('skips transition rules on create and reports a rule it cannot run', () => {
    const schema = {
      type: 'string',
      'x-kubernetes-validations': rules('self == oldSelf', 'isURL(self)'),
    };
    const outcome = runCelRules(schema, 'https://example.com');
    expect(outcome.evaluated).toBe(0);
    expect(outcome.violations).toEqual([]);
    expect(outcome.unevaluated).toEqual([
      { path: '', rule: 'isURL(self)', reason: expect.any(String) },
    ]);
  });
});

describe('strict structural schemas', () => {
  const crd = (schema: Record<string, unknown>): CustomResourceDefinition => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { kind: 'Widget', plural: 'widgets' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: { spec: schema },
            },
          },
        },
      ],
    },
  });
  const widget = (spec: unknown) => ({
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w' },
    spec,
  });

  it('accepts apiVersion, kind and metadata in an embedded resource only', () => {
    const schema = (embedded: boolean) => ({
      type: 'object',
      properties: {
        template: {
          type: 'object',
          'x-kubernetes-embedded-resource': embedded,
          properties: { spec: { type: 'object' } },
        },
      },
    });
    const template = { template: { apiVersion: 'v1', kind: 'Pod', spec: {} } };
    expect(validateAgainstCrd(widget(template), [crd(schema(true))])).toEqual(
      [],
    );
    expect(
      validateAgainstCrd(widget(template), [crd(schema(false))]).map(
        e => e.path,
      ),
    ).toEqual(['spec.template.apiVersion', 'spec.template.kind']);
  });

  it('reads oneOf branches as value checks that close no object', () => {
    const schema = {
      type: 'object',
      properties: {
        secretName: { type: 'string' },
        certificate: { type: 'string' },
        pattern: { type: 'string' },
      },
      oneOf: [
        { properties: { certificate: {} }, required: ['certificate'] },
        { properties: { pattern: {} }, required: ['pattern'] },
      ],
    };
    expect(
      validateAgainstCrd(widget({ secretName: 's', certificate: 'c' }), [
        crd(schema),
      ]),
    ).toEqual([]);
    expect(
      validateAgainstCrd(widget({ secretName: 's' }), [crd(schema)]).map(
        e => e.path,
      ),
    ).toEqual(['spec.certificate', 'spec.pattern', 'spec']);
  });

  it('keeps preserved and map fields open, all others closed', () => {
    const schema = {
      type: 'object',
      properties: {
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        typed: { type: 'object', properties: { a: { type: 'string' } } },
      },
    };
    expect(
      validateAgainstCrd(
        widget({ free: { x: 1 }, labels: { y: 'z' }, typed: { a: 'b' } }),
        [crd(schema)],
      ),
    ).toEqual([]);
    expect(
      validateAgainstCrd(widget({ labels: { y: 1 }, typed: { b: 'c' } }), [
        crd(schema),
      ]).map(e => e.path),
    ).toEqual(['spec.labels.y', 'spec.typed.b']);
  });
});
