/*
 * The pure heart of the template: from a request and the configured
 * clusters, every manifest of a multi-cluster database — per-cluster
 * workloads and Services, replication wiring, federation, routing and the
 * catalog entity — plus the list of what to apply to which cluster.
 * No I/O here, so it is tested with golden files and timed by the bench.
 */
import { stringify } from 'yaml';
import { catalogEntity } from './catalogEntity';
import { ClusterObjects, buildCluster, clusterDir } from './clusterObjects';
import { federatedWorkload } from './federation/federatedWorkload';
import { karmadaObjects } from './federation/karmada';
import { kubefedObjects } from './federation/kubefed';
import { istioClusterObjects, istioObjects } from './routing/istio';
import { mcsObjects } from './routing/mcs';
import {
  ClusterInfo,
  ClusterTarget,
  GenerateRequest,
  GenerateResult,
  GeneratedFile,
  KubeObject,
} from './types';
import { NormalizedRequest, validateRequest } from './validateRequest';
import { warningsFor } from './warnings';

function toYaml(value: unknown, header?: string): string {
  const body = stringify(value, { lineWidth: 0, singleQuote: true });
  return header ? `${header}\n${body}` : body;
}

function federationObjects(r: NormalizedRequest, built: ClusterObjects[]) {
  const workload = federatedWorkload(r, built);
  return r.federation === 'kubefed'
    ? kubefedObjects(r, workload)
    : karmadaObjects(r, workload);
}

// The routing objects that belong to one member cluster only.
function clusterRoutingObjects(r: NormalizedRequest) {
  if (r.routing === 'istio') return istioClusterObjects(r);
  return r.routing === 'mcs' ? mcsObjects(r) : [];
}

/**
 * Generates every file of a multi-cluster database. Throws an InputError
 * (naming the field) when the request breaks one of the template's rules.
 */
export function generateManifests(
  request: GenerateRequest,
  clusters: ClusterInfo[],
): GenerateResult {
  const r = validateRequest(request, clusters);
  const built = r.clusters.map(c => buildCluster(r, c));
  const federated = r.federation !== 'none';

  const files: GeneratedFile[] = [];
  const objects: GenerateResult['objects'] = [];
  const perCluster = new Map<string, string[]>();
  const add = (
    file: string,
    object: KubeObject,
    cluster?: string,
    header?: string,
  ) => {
    files.push({ path: file, content: toYaml(object, header), cluster });
    objects.push({ path: file, object });
  };

  for (const b of built) {
    const name = b.placement.name;
    const applied: string[] = [];
    // Configuration, Services and volumes first, so the pods find them.
    for (const o of b.others) {
      add(o.file, o.object, name);
      applied.push(o.file);
    }
    if (federated) {
      // Kept for review and drift comparison; the federation host creates it.
      add(
        b.workload.file,
        b.workload.object,
        undefined,
        `# Rendered for ${name}. Not applied directly: ${
          r.federation
        } propagates it from federation/ on ${r.federationHost!.name}.`,
      );
    } else {
      add(b.workload.file, b.workload.object, name);
      applied.push(b.workload.file);
    }
    const dir = clusterDir(b.placement);
    files.push({
      path: `${dir}/kustomization.yaml`,
      cluster: name,
      content: toYaml({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        namespace: r.namespace,
        resources: applied.map(f => f.slice(dir.length + 1)),
      }),
    });
    perCluster.set(name, applied);
  }

  const hostFiles: string[] = [];
  if (federated) {
    for (const o of federationObjects(r, built)) {
      add(o.file, o.object, r.federationHost!.name);
      hostFiles.push(o.file);
    }
  }

  if (r.routing === 'istio') {
    // Istio configuration is not shared between control planes: every
    // member cluster gets the same routing objects.
    for (const o of istioObjects(r)) {
      add(o.file, o.object);
      for (const c of r.clusters) perCluster.get(c.name)!.push(o.file);
    }
  }
  for (const o of clusterRoutingObjects(r)) {
    add(o.file, o.object, o.cluster);
    perCluster.get(o.cluster)!.push(o.file);
  }

  files.push({ path: 'catalog-info.yaml', content: toYaml(catalogEntity(r)) });

  const targets: ClusterTarget[] = r.clusters.map(c => ({
    name: c.name,
    ...(c.region ? { region: c.region } : {}),
    role: c.role,
    manifests: perCluster.get(c.name)!,
  }));
  if (federated) {
    const host = r.federationHost!;
    const member = targets.find(t => t.name === host.name);
    if (member) {
      member.federationHost = true;
      member.manifests.push(...hostFiles);
    } else {
      targets.push({
        name: host.name,
        ...(host.region ? { region: host.region } : {}),
        federationHost: true,
        manifests: hostFiles,
      });
    }
  }

  return {
    files,
    targets,
    entityRef: `component:default/${r.name}`,
    warnings: warningsFor(r),
    objects,
  };
}
