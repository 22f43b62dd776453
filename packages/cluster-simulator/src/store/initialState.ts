/*
 * What kube-apiserver and its built-in controllers fill in when certain
 * kinds are created: a Namespace's finalizer, phase and name label, and a
 * CustomResourceDefinition's accepted names and Established condition, so
 * clients that wait on them proceed as on a real cluster.
 */
import type { KubeObject } from '../controllers/types';

/** Fills in the state a new object of these kinds starts with. */
export function applyInitialState(o: KubeObject, kind: string): void {
  if (kind === 'Namespace') {
    o.spec = { finalizers: ['kubernetes'], ...o.spec };
    o.status = { phase: 'Active' };
    o.metadata.labels = {
      'kubernetes.io/metadata.name': o.metadata.name,
      ...o.metadata.labels,
    };
  }
  if (kind === 'CustomResourceDefinition' && !o.status) {
    const ts = o.metadata.creationTimestamp;
    o.status = {
      acceptedNames: o.spec?.names,
      conditions: [
        {
          type: 'NamesAccepted',
          status: 'True',
          reason: 'NoConflicts',
          message: 'no conflicts found',
          lastTransitionTime: ts,
        },
        {
          type: 'Established',
          status: 'True',
          reason: 'InitialNamesAccepted',
          message: 'the initial names have been accepted',
          lastTransitionTime: ts,
        },
      ],
      storedVersions: (o.spec?.versions ?? [])
        .filter((v: any) => v.storage)
        .map((v: any) => v.name),
    };
  }
}
