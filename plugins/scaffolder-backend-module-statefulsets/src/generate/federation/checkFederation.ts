/*
 * The template's rules about where federation objects go. A cluster marked
 * `federationHost: karmada` is the Karmada API server: Karmada's policies
 * and resource templates belong there, and it runs no workloads, so it is
 * never one of the database's clusters. A cluster marked
 * `federationHost: kubefed` is the KubeFed host, a real cluster that may
 * also be a member.
 */
import { ClusterInfo, Federation, GenerateRequest } from '../types';
import { fail } from '../validate/fail';

/** The configured Karmada API server, if any. */
export function karmadaControlPlane(
  known: ClusterInfo[],
): ClusterInfo | undefined {
  return known.find(c => c.federationHost === 'karmada');
}

/** Fails where a database cluster is the Karmada API server, which runs no pods. */
function checkNoControlPlaneMember(
  request: GenerateRequest,
  known: ClusterInfo[],
): void {
  const controlPlane = karmadaControlPlane(known);
  const i = request.clusters.findIndex(c => c.name === controlPlane?.name);
  if (i >= 0) {
    fail(
      `clusters[${i}].name`,
      `"${
        controlPlane!.name
      }" is the Karmada API server (federationHost: karmada), which stores Karmada's policies and templates but runs no pods`,
      'place the database on member clusters only',
    );
  }
}

/**
 * Checks the federation of a request against the configured clusters and
 * returns the cluster the federation objects are applied to.
 */
export function checkFederation(
  request: GenerateRequest,
  known: ClusterInfo[],
  federation: Federation,
): ClusterInfo | undefined {
  checkNoControlPlaneMember(request, known);
  if (federation === 'none') return undefined;
  const host = known.find(c => c.federationHost === federation);
  if (!host) {
    const what =
      federation === 'karmada'
        ? 'the Karmada API server (the endpoint of karmada-apiserver, not a member cluster)'
        : 'the KubeFed host cluster (where the kubefed controller manager runs)';
    fail(
      'federation',
      `no configured cluster is marked as a ${federation} host`,
      `add ${what} to the backend's kubernetes cluster configuration with multiclusterStatefulsets.clusters.<name>.federationHost: ${federation}, or choose federation none`,
    );
  }
  return host;
}
