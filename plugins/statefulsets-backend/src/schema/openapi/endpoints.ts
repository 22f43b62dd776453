/*
 * The typed endpoint map of src/schema/openapi.yaml, using the topology types
 * of the common package as response models.
 */
import {
  ClusterHealth,
  EntityTopology,
} from '@multicluster/backstage-plugin-statefulsets-common';

/** Request and response types per operation, keyed as backend-openapi-utils expects. */
export type EndpointMap = {
  '#get|/entities/{kind}/{namespace}/{name}/topology': {
    path: { kind: string; namespace: string; name: string };
    response: EntityTopology | void;
  };
  '#get|/clusters': {
    response: { items: ClusterHealth[] };
  };
};
