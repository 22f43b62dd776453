/*
 * Plays ECK (Elastic Cloud on Kubernetes) for `elasticsearch.k8s.elastic.co`
 * Elasticsearch objects, as the real operator lays them out: one StatefulSet
 * per node set (`<name>-es-<nodeSet>`, with its headless Service of the same
 * name), the Services `<name>-es-http`, `<name>-es-internal-http` and
 * `<name>-es-transport`, and a status (health, phase, available nodes,
 * version, conditions) read from the pods. The simulator's StatefulSet
 * controller rolls the StatefulSets out into pods.
 *
 * A transport Service the spec asks to be a `LoadBalancer` gets an ingress
 * host name in its status, stable and naming the Kubernetes cluster
 * ({@link loadBalancerHostname}), as a cloud load balancer would publish.
 * An Elasticsearch whose node sets' `config` names such an address in
 * `cluster.remote.<alias>.proxy_address` or `.seeds` follows the
 * Elasticsearch behind it by cross-cluster replication: the simulator's own
 * lag record (`SIM_*` annotations, engine `elasticsearch`) is kept on the
 * follower's data StatefulSet, which `/metrics` exports under that
 * StatefulSet's name. The lag grows while the leader's cluster is down or
 * partitioned away.
 */
import {
  type Controller,
  type ControllerContext,
  type KubeObject,
} from '../../types';
import {
  ensure,
  loadBalancerHostname,
  publishLoadBalancer,
  same,
} from '../shared';
import {
  CLUSTER_NAME_LABEL,
  dataNodeSet,
  desiredServices,
  desiredStatefulSet,
  ECK_API_VERSION,
} from './resources';
import { lagAnnotations, leaderOf } from './follower';
import { elasticsearchStatus } from './status';

/** One pass over one Elasticsearch. */
function reconcileElasticsearch(ctx: ControllerContext, es: KubeObject): void {
  const api = ctx.cluster;
  const namespace = es.metadata.namespace ?? 'default';
  const name = es.metadata.name;
  for (const service of desiredServices(es)) {
    publishLoadBalancer(ctx.cluster, ctx.cluster.name, ensure(api, service));
  }
  const nodeSets: any[] = es.spec?.nodeSets ?? [];
  const wanted = new Set<string>();
  const source = leaderOf(ctx, es);
  const dataSet = dataNodeSet(es);
  for (const nodeSet of nodeSets) {
    const desired = desiredStatefulSet(es, nodeSet);
    wanted.add(desired.metadata.name);
    const sts = ensure(api, desired);
    const annotations = lagAnnotations(
      ctx,
      sts,
      nodeSet.name === dataSet ? source : undefined,
    );
    if (!same(annotations, sts.metadata.annotations ?? {})) {
      api.update({ ...sts, metadata: { ...sts.metadata, annotations } });
    }
  }
  for (const sts of api.list('apps/v1', 'StatefulSet', namespace)) {
    const owned = sts.metadata.ownerReferences?.some(
      r => r.kind === 'Elasticsearch' && r.uid === es.metadata.uid,
    );
    if (owned && !wanted.has(sts.metadata.name)) {
      api.delete('apps/v1', 'StatefulSet', namespace, sts.metadata.name);
    }
  }
  const pods = api
    .list('v1', 'Pod', namespace)
    .filter(
      p =>
        p.metadata.labels?.[CLUSTER_NAME_LABEL] === name &&
        !p.metadata.deletionTimestamp,
    );
  const status = elasticsearchStatus(es, pods, ctx.now());
  if (!same(status, es.status)) {
    api.updateStatus({ ...es, status });
  }
}

/** ECK, run in every cluster that has Elasticsearch objects. */
export function eckController(): Controller {
  return {
    name: 'eck',
    reconcile(ctx) {
      if (ctx.isDown(ctx.cluster.name)) return;
      let list: KubeObject[];
      try {
        list = ctx.cluster.list(ECK_API_VERSION, 'Elasticsearch');
      } catch {
        // ECK's CRD is not installed in this cluster: nothing to operate.
        return;
      }
      for (const es of list) {
        if (!es.metadata.deletionTimestamp) reconcileElasticsearch(ctx, es);
      }
    },
  };
}

export { loadBalancerHostname };
export {
  CLUSTER_NAME_LABEL,
  dataNodeSet,
  desiredServices,
  desiredStatefulSet,
  ECK_API_VERSION,
  STATEFULSET_NAME_LABEL,
  TYPE_LABEL,
  VERSION_LABEL,
} from './resources';
export { elasticsearchStatus } from './status';
