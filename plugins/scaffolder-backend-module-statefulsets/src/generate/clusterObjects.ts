/*
 * Everything one member cluster runs, with the file each object is written
 * to: the workload (a StatefulSet, or a CloudNativePG Cluster for
 * PostgreSQL) kept apart from its Services, budget, replication ConfigMap
 * and volumes, because federation takes over the workload but not the rest.
 */
import {
  ANNOTATION_KUBERNETES_ID,
  LABEL_CNPG_CLUSTER,
  LABEL_CNPG_INSTANCE_ROLE,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { commonLabels, selectorLabels, workloadAnnotations } from './labels';
import { clusterServiceName, headlessServiceName } from './naming';
import { replicationFor } from './replication';
import { cnpgCluster } from './replication/cnpgCluster';
import { service, writableSelector } from './services';
import { sharedVolume } from './sharedVolume';
import { statefulSet } from './statefulSet';
import { KubeObject } from './types';
import { NormalizedRequest, ResolvedPlacement } from './validateRequest';

/** Path of a cluster's folder inside the generated tree. */
export function clusterDir(c: ResolvedPlacement): string {
  return `clusters/${c.name}`;
}

/** One cluster's workload and the objects it depends on. */
export interface ClusterObjects {
  placement: ResolvedPlacement;
  workload: { file: string; object: KubeObject };
  others: Array<{ file: string; object: KubeObject }>;
}

/** The objects of one member cluster. */
export function buildCluster(
  r: NormalizedRequest,
  c: ResolvedPlacement,
): ClusterObjects {
  const dir = clusterDir(c);
  const others: ClusterObjects['others'] = [];
  if (r.engine === 'postgresql') {
    const primarySelector = {
      [LABEL_CNPG_CLUSTER]: r.name,
      [LABEL_CNPG_INSTANCE_ROLE]: 'primary',
    };
    others.push(
      {
        file: `${dir}/service.yaml`,
        object: service(r, r.name, false, primarySelector),
      },
      {
        file: `${dir}/service-replication.yaml`,
        object: service(r, clusterServiceName(r, c), false, primarySelector),
      },
    );
    const workload = cnpgCluster(r, c, {
      labels: commonLabels(r),
      annotations: workloadAnnotations(r, c),
      podLabels: {
        [ANNOTATION_KUBERNETES_ID]: r.name,
        'app.kubernetes.io/name': r.name,
      },
    });
    return {
      placement: c,
      workload: { file: `${dir}/cluster.yaml`, object: workload },
      others,
    };
  }
  const replication = replicationFor(r, c, commonLabels(r));
  others.push(
    {
      file: `${dir}/service-headless.yaml`,
      object: service(r, headlessServiceName(r), true, selectorLabels(r)),
    },
    {
      file: `${dir}/service.yaml`,
      object: service(r, r.name, false, writableSelector(r, c)),
    },
    {
      file: `${dir}/pdb.yaml`,
      object: {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: {
          name: r.name,
          namespace: r.namespace,
          labels: commonLabels(r),
        },
        spec: {
          maxUnavailable: replication.maxUnavailable ?? 1,
          selector: { matchLabels: selectorLabels(r) },
        },
      },
    },
  );
  if (replication.object) {
    others.push({
      file: `${dir}/replication-configmap.yaml`,
      object: replication.object,
    });
  }
  for (const companion of replication.companions ?? []) {
    others.push({ file: `${dir}/${companion.file}`, object: companion.object });
  }
  if (r.storage.cephfs) {
    const { pv, pvc } = sharedVolume(r, c);
    others.push(
      { file: `${dir}/shared-pv.yaml`, object: pv },
      { file: `${dir}/shared-pvc.yaml`, object: pvc },
    );
  }
  return {
    placement: c,
    workload: {
      file: `${dir}/statefulset.yaml`,
      object: statefulSet(r, c, replication.wiring, !!replication.object),
    },
    others,
  };
}
