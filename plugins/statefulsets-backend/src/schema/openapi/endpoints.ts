/*
 * The typed endpoint map of src/schema/openapi.yaml, using the types of the
 * common package and of the apply flow as request and response models.
 */
import {
  ClusterHealth,
  EntityTopology,
  FailoverMode,
  FailoverPlan,
  FailoverRun,
  FailoverRunDetails,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  ApplyResponse,
  ClusterManifests,
  GeneratedEntity,
} from '../../apply/types';

/** The path parameters naming an entity. */
export type EntityPathParams = {
  kind: string;
  namespace: string;
  name: string;
};

/** The body of a failover plan request. */
export interface FailoverRequestBody {
  targetCluster: string;
  mode: FailoverMode;
}

/** The body of a failover run request. */
export interface StartFailoverRequestBody extends FailoverRequestBody {
  confirm: string;
  force?: boolean;
  /** Why an emergency failover is forced while the source still answers. */
  reason?: string;
}

/** The body of `POST /apply` as sent, before the checks against configuration. */
export interface ApplyRequestBody {
  entityRef: string;
  dryRun?: boolean;
  clusters: ClusterManifests[];
  catalogInfo?: Record<string, unknown>;
}

/** Request and response types per operation, keyed as backend-openapi-utils expects. */
export type EndpointMap = {
  '#get|/entities/{kind}/{namespace}/{name}/topology': {
    path: EntityPathParams;
    response: EntityTopology | void;
  };
  '#get|/clusters': {
    response: { items: ClusterHealth[] };
  };
  '#post|/entities/{kind}/{namespace}/{name}/failover/plan': {
    path: EntityPathParams;
    body: FailoverRequestBody;
    response: FailoverPlan;
  };
  '#post|/entities/{kind}/{namespace}/{name}/failover/runs': {
    path: EntityPathParams;
    body: StartFailoverRequestBody;
    response: { id: string };
  };
  '#get|/entities/{kind}/{namespace}/{name}/failover/runs': {
    path: EntityPathParams;
    response: { items: FailoverRun[] };
  };
  '#get|/entities/{kind}/{namespace}/{name}/failover/runs/{id}': {
    path: EntityPathParams & { id: string };
    response: FailoverRunDetails;
  };
  '#post|/apply': {
    body: ApplyRequestBody;
    response: ApplyResponse;
  };
  '#get|/generated-entities': {
    response: { items: GeneratedEntity[] };
  };
};
