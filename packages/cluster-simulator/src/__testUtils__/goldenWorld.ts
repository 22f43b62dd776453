/*
 * A golden case of the Software Template applied to a simulated world as
 * its apply plan says (each target's manifests to its cluster, the
 * federation host marked as Karmada or KubeFed), with the platform pieces
 * the template's docs require (Istio's CRDs in every cluster of a mesh
 * case, KubeFed's enabled types on its host), reconciled by the federation
 * controllers, the CloudNativePG operator and the replication exporter.
 * Test-only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { cnpgController } from '../controllers/cnpg';
import {
  karmadaController,
  kubefedController,
} from '../controllers/federation';
import { replicationLagController } from '../controllers/replicationLagController';
import { FakeCluster, FakeWorld } from '../controllers/testing';
import type {
  Controller,
  FederationHost,
  KubeObject,
} from '../controllers/types';
import { GOLDEN_DIR } from './goldenCases';

const KUBEFED_PLATFORM = path.resolve(
  __dirname,
  '../../../../examples/world/us-east/platform-kubefed.yaml',
);

interface PlanTarget {
  name: string;
  region: string;
  federationHost?: boolean;
  manifests: string[];
}

function objectsOf(file: string): KubeObject[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map(d => d.toJS())
    .filter(o => o?.apiVersion && o?.kind);
}

const ISTIO_CRD: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'serviceentries.networking.istio.io' },
};

/** Creates an object, or replaces it when the plan sends it again. */
export function apply(cluster: FakeCluster, obj: KubeObject): void {
  const existing = cluster.get(
    obj.apiVersion,
    obj.kind,
    obj.metadata.namespace,
    obj.metadata.name,
  );
  if (existing)
    cluster.update({
      ...obj,
      metadata: { ...existing.metadata, ...obj.metadata },
    });
  else cluster.create(obj);
}

/** The controllers that bring a generated database to life. */
export function goldenControllers(): Controller[] {
  return [
    karmadaController(),
    kubefedController(),
    cnpgController(),
    replicationLagController(() => 0.5),
  ];
}

/** The world of one golden case, its objects applied, not yet reconciled. */
export function goldenWorld(id: string): FakeWorld {
  const dir = path.join(GOLDEN_DIR, id);
  const plan: { targets: PlanTarget[] } = parse(
    fs.readFileSync(path.join(dir, 'apply-plan.yaml'), 'utf8'),
  );
  const hostKind = (['karmada', 'kubefed'] as FederationHost[]).find(f =>
    id.includes(`-${f}-`),
  );
  const world = new FakeWorld(
    plan.targets.map(
      t =>
        new FakeCluster({
          name: t.name,
          region: t.region,
          federationHost: t.federationHost ? hostKind : undefined,
        }),
    ),
  );
  const objects = plan.targets.map(t => ({
    cluster: world.cluster(t.name),
    objects: t.manifests.flatMap(m => objectsOf(path.join(dir, m))),
  }));
  for (const ns of new Set(
    objects.flatMap(o => o.objects.map(x => x.metadata.namespace)),
  ))
    if (ns) world.ensureNamespace(ns);
  for (const { cluster, objects: list } of objects) {
    if (id.endsWith('-istio')) apply(cluster, ISTIO_CRD);
    if (cluster.federationHost === 'kubefed')
      objectsOf(KUBEFED_PLATFORM).forEach(o => apply(cluster, o));
    list.forEach(o => apply(cluster, o));
  }
  return world;
}

/** Reconciles a world long enough for propagation and a lag measurement. */
export function settle(world: FakeWorld, controllers = goldenControllers()) {
  for (let i = 0; i < 6; i++) {
    world.reconcile(controllers);
    world.advance(5_000);
  }
}
