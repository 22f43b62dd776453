/*
 * MongoDB Community Operator: a `MongoDBCommunity`
 * (mongodbcommunity.mongodb.com/v1) runs one replica set as the StatefulSet
 * `<name>` (and `<name>-arb` for arbiters), its pods labelled
 * `app: <service name>`. The replica set's members are exactly the pods of
 * those StatefulSets: the API has no external members, `replicaSetHorizons`
 * only names the same members for clients outside Kubernetes, and nothing
 * replicates between two resources. So the convention says who runs the
 * workloads and which pods are arbiters, draws no link, and calls no side
 * active or passive. The operator labels no pod with its member state.
 */
import { ClusterObjects, KubeObject, labelOf } from '../kube';
import { OperatorConvention } from './types';

const ID = 'mongodb-community';
const ARBITER_SUFFIX = '-arb';

/** The headless Service of a MongoDBCommunity, whose name its pods carry as `app`. */
export function mongodbServiceNameOf(resource: KubeObject): string {
  const override = resource.spec?.statefulSet?.spec?.serviceName;
  return typeof override === 'string' && override
    ? override
    : `${resource.metadata.name}-svc`;
}

/** The replica set's phase and member counts as the operator reports them. */
export function mongodbCommunityStatusOf(resource: KubeObject):
  | {
      phase?: string;
      members?: number;
      readyReplicas?: number;
      mongoUri?: string;
    }
  | undefined {
  const status = resource.status;
  if (!status || typeof status !== 'object') return undefined;
  return {
    phase: status.phase,
    members: status.currentMongoDBMembers,
    readyReplicas: status.currentStatefulSetReplicas,
    mongoUri: status.mongoUri,
  };
}

/** The MongoDBCommunity running a StatefulSet, and whether it holds arbiters. */
function runnerOf(
  statefulSet: KubeObject,
  objects: ClusterObjects,
): { resource: KubeObject; arbiters: boolean } | undefined {
  const { name, namespace } = statefulSet.metadata;
  for (const resource of objects.mongodbCommunities) {
    if (resource.metadata.namespace !== namespace) continue;
    if (labelOf(statefulSet, 'app') !== mongodbServiceNameOf(resource))
      continue;
    if (name === resource.metadata.name) return { resource, arbiters: false };
    if (name === `${resource.metadata.name}${ARBITER_SUFFIX}`)
      return { resource, arbiters: true };
  }
  return undefined;
}

/** MongoDB Community Operator's resources, as the topology reads them. */
export const mongodbCommunityConvention: OperatorConvention = {
  id: ID,
  title: 'MongoDB Community Operator',
  engine: 'mongodb',
  selectorOf: resource => `app=${mongodbServiceNameOf(resource)}`,
  resources: objects => objects.mongodbCommunities,
  isRelated(resource, objects) {
    return objects.statefulSets.some(
      s => runnerOf(s, objects)?.resource === resource,
    );
  },
  roleOf(statefulSet, objects) {
    const runner = runnerOf(statefulSet, objects);
    if (!runner) return undefined;
    // One replica set per Kubernetes cluster: no role between clusters.
    return {
      role: 'unknown',
      source: ID,
      ...(runner.arbiters ? { podRole: 'arbiter' as const } : {}),
    };
  },
};
