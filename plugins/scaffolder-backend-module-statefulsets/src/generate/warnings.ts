/*
 * What the template allows but a reviewer should look at twice: choices
 * that leave failover manual, a site's loss fatal, or traffic on a
 * read-only side.
 */
import { kafkaWarnings } from './replication/kafka';
import { NormalizedRequest } from './validateRequest';

/** The warnings a valid request still deserves. */
export function warningsFor(r: NormalizedRequest): string[] {
  const warnings: string[] = [];
  if (r.strategy === 'active-passive') {
    for (const c of r.clusters) {
      if (c.role === 'passive' && c.weight > 0) {
        warnings.push(
          `clusters: passive cluster ${c.name} gets ${c.weight}% of the traffic but is read-only`,
        );
      }
    }
  }
  if (r.engine === 'mongodb' && r.clusters.length < 3) {
    warnings.push(
      'mongodb: with fewer than three clusters, losing one site can take the voting majority with it; add a third cluster so an election still succeeds',
    );
  }
  if (r.engine === 'kafka') {
    warnings.push(...kafkaWarnings(r));
  }
  if (r.elasticsearch?.licence === 'trial') {
    warnings.push(
      'elasticsearch: the trial licence ends after 30 days, and cross-cluster replication stops with it; install an enterprise or platinum licence (PUT _license) in every cluster before then',
    );
  }
  if (r.elasticsearch && !r.elasticsearch.nodesAllowMmap) {
    warnings.push(
      'elasticsearch: mmap is off (node.store.allow_mmap: false), as the nodes are not known to have vm.max_map_count >= 262144; large indices read slower. Once the platform sets it on the nodes, set elasticsearch.nodesAllowMmap',
    );
  }
  if (r.engine === 'generic') {
    warnings.push(
      'generic: no replication is configured; a replication exporter must maintain the role and lag annotations',
    );
  }
  if (r.federation === 'kubefed') {
    warnings.push(
      `kubefed: KubeFed is archived upstream (kubernetes-retired/kubefed) and gets no fixes; prefer Karmada for new databases. The platform must have enabled the federated types on ${
        r.federationHost!.name
      } (kubefedctl enable statefulsets.apps; kubefedctl enable namespaces), or the apply is refused`,
    );
  }
  if (r.routing === 'none') {
    warnings.push(
      'routing none: clients must be redirected by hand after a failover',
    );
  }
  if (
    r.routing === 'istio' &&
    new Set(r.clusters.map(c => c.region).filter(Boolean)).size < 2
  ) {
    warnings.push(
      'routing istio: all clusters share one region, so no locality failover is configured',
    );
  }
  return warnings;
}
