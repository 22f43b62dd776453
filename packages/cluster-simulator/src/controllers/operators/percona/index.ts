/*
 * Plays Percona's operators for `PerconaXtraDBCluster` (pxc.percona.com/v1)
 * and `PerconaServerMongoDB` (psmdb.percona.com/v1) the way they lay a
 * database out: StatefulSets `<name>-pxc` and `<name>-haproxy`, or one
 * `<name>-<replset>` per replica set, with the operators' labels and
 * ownerReferences; the governing Services; one Service per pod when the
 * spec exposes the pods (a LoadBalancer gets a stable hostname naming the
 * Kubernetes cluster, what a cloud's load balancer would publish); and the
 * status the operators report.
 *
 * Cross-site replication: a PXC whose replication channel is not the source
 * replicates from the cluster publishing one of its `sourcesList` hosts; an
 * unmanaged PSMDB site replicates from the cluster whose replica set lists
 * its members as `externalNodes`. Neither operator reports that lag in its
 * status, so the replica side's StatefulSet carries the simulator's own lag
 * record (what an exporter would publish), moved by the shared lag model and
 * grown while the source is partitioned away or down.
 */
import { type ClusterApi, type Controller, type KubeObject } from '../../types';
import { loadBalancerHostname } from '../shared';
import {
  PSMDB_API_VERSION,
  PSMDB_KIND,
  PXC_API_VERSION,
  PXC_KIND,
} from './sites';
import { reconcilePxc } from './pxc';
import { reconcilePsmdb } from './psmdb';

function listOrNone(
  api: ClusterApi,
  apiVersion: string,
  kind: string,
): KubeObject[] {
  try {
    return api.list(apiVersion, kind);
  } catch {
    // The operator's CRD is not installed in this cluster.
    return [];
  }
}

/** Percona's two operators, run in every cluster that has their resources. */
export function perconaController(): Controller {
  return {
    name: 'percona',
    reconcile(ctx) {
      if (ctx.isDown(ctx.cluster.name)) return;
      for (const cr of listOrNone(ctx.cluster, PXC_API_VERSION, PXC_KIND)) {
        if (!cr.metadata.deletionTimestamp) reconcilePxc(ctx, cr);
      }
      for (const cr of listOrNone(ctx.cluster, PSMDB_API_VERSION, PSMDB_KIND)) {
        if (!cr.metadata.deletionTimestamp) reconcilePsmdb(ctx, cr);
      }
    },
  };
}

/** Re-exported: the Percona controller publishes load balancers under this name. */
export { loadBalancerHostname };
export {
  PSMDB_API_VERSION,
  PSMDB_KIND,
  PXC_API_VERSION,
  PXC_KIND,
} from './sites';
