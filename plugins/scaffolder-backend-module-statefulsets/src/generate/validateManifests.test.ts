import { validateManifests, validateObject } from './validateManifests';
import { KubeObject } from './types';

const meta = { name: 'x', namespace: 'ns' };

describe('validateObject', () => {
  it('accepts a valid built-in object', () => {
    expect(
      validateObject({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: meta,
        data: { a: 'b' },
      }),
    ).toEqual([]);
  });

  it('rejects a StatefulSet the Kubernetes schema refuses', () => {
    const problems = validateObject({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta,
      spec: { replicas: 'three' },
    });
    expect(problems.join('\n')).toMatch(
      /spec: must have required property selector/,
    );
    expect(problems.join('\n')).toMatch(/spec\.replicas: must be integer/);
  });

  it('rejects an Istio object with a wrongly typed field', () => {
    const problems = validateObject({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: meta,
      spec: { hosts: 'db.global' },
    });
    expect(problems.join('\n')).toMatch(/spec\.hosts: must be array/);
  });

  it.each([
    [
      'a FederatedStatefulSet with an unknown field',
      {
        apiVersion: 'types.kubefed.io/v1beta1',
        kind: 'FederatedStatefulSet',
        spec: { placement: { clusterz: [] } },
      },
      /spec\.placement\.clusterz: unknown field/,
    ],
    [
      'a PropagationPolicy without resourceSelectors',
      {
        apiVersion: 'policy.karmada.io/v1alpha1',
        kind: 'PropagationPolicy',
        spec: { placement: {} },
      },
      /resourceSelectors/,
    ],
    [
      'a CloudNativePG Cluster without instances',
      {
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Cluster',
        spec: { imageName: 'pg:17' },
      },
      /instances/,
    ],
  ])('rejects %s against the project CRD', (_what, object, message) => {
    expect(
      validateObject({ ...object, metadata: meta } as KubeObject).join('\n'),
    ).toMatch(message);
  });

  it('checks a Job (the Elasticsearch CCR setup) against the Kubernetes schema', () => {
    const job = (backoffLimit: unknown) =>
      validateObject({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: meta,
        spec: {
          backoffLimit,
          template: {
            spec: {
              restartPolicy: 'OnFailure',
              containers: [{ name: 'setup', image: 'busybox' }],
            },
          },
        },
      });
    expect(job(6)).toEqual([]);
    expect(job('six').join('\n')).toMatch(
      /spec\.backoffLimit: must be integer/,
    );
  });

  it('knows no schema for unexpected kinds', () => {
    expect(
      validateObject({
        apiVersion: 'example.com/v1',
        kind: 'Thing',
        metadata: meta,
      }),
    ).toEqual(['no schema is known for example.com/v1/Thing']);
  });
});

describe('validateManifests', () => {
  it('throws an InputError naming the file, object and field', () => {
    expect(() =>
      validateManifests([
        {
          path: 'clusters/a/pdb.yaml',
          object: {
            apiVersion: 'policy/v1',
            kind: 'PodDisruptionBudget',
            metadata: meta,
            spec: { maxUnavailable: { bad: true } },
          },
        },
      ]),
    ).toThrow(
      /clusters\/a\/pdb\.yaml \(PodDisruptionBudget x\) spec\.maxUnavailable/,
    );
  });
});
