/*
 * The shapes of the apply API: what the scaffolder action sends to
 * `POST /apply` and what it gets back, per cluster and per object.
 */
import { Entity } from '@backstage/catalog-model';

/** A Kubernetes object as parsed from a generated manifest. */
export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** The objects to apply to one cluster, in apply order. */
export interface ClusterManifests {
  name: string;
  manifests: ManifestObject[];
}

/** A validated body of `POST /apply`. */
export interface ApplyRequest {
  entityRef: string;
  dryRun: boolean;
  clusters: ClusterManifests[];
  catalogInfo?: Entity;
}

/** What server-side apply did to one object. */
export type ObjectAction = 'created' | 'configured' | 'unchanged';

/** The outcome for one object. */
export interface ObjectResult {
  kind: string;
  name: string;
  namespace?: string;
  action: ObjectAction;
}

/** An object the apply refused to write, and why. */
export interface RefusedObject {
  kind: string;
  name: string;
  namespace?: string;
  reason: string;
}

/**
 * The outcome for one cluster; `error` is set when `status` is failed.
 * `refused` lists the objects whose ownership stopped the cluster's apply
 * (nothing is written in a cluster with a refused object).
 */
export interface ClusterApplyResult {
  cluster: string;
  status: 'ok' | 'failed';
  objects: ObjectResult[];
  refused?: RefusedObject[];
  error?: string;
}

/** The answer of `POST /apply`. */
export interface ApplyResponse {
  entityRef: string;
  dryRun: boolean;
  results: ClusterApplyResult[];
  /** True when the catalog entity was stored for the catalog provider. */
  registered: boolean;
}

/** A stored entity the catalog provider serves, as `GET /generated-entities` lists it. */
export interface GeneratedEntity {
  entityRef: string;
  entity: Entity;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}
