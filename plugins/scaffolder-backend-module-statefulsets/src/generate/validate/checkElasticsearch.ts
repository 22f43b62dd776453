/*
 * What Elasticsearch needs before its clusters can form and replicate: a
 * voting configuration that survives the loss of a node, a licence that
 * includes cross-cluster replication, and transport certificates every
 * cluster trusts. The portal can create none of the latter two, so the
 * template refuses to go on until the request names what the platform
 * provides.
 */
import { ElasticsearchLicence, GenerateRequest } from '../types';
import { checkDnsLabel } from './checkDnsLabel';
import { fail } from './fail';

/** The Elasticsearch settings of a checked request. */
export interface ElasticsearchSettings {
  /** Absent for a single cluster, which needs no cross-cluster replication. */
  licence?: ElasticsearchLicence;
  transportTlsSecret: string;
  nodesAllowMmap: boolean;
}

const LICENCES: ElasticsearchLicence[] = ['enterprise', 'platinum', 'trial'];

function checkQuorum(request: GenerateRequest) {
  request.clusters.forEach((c, i) => {
    if (c.replicas === 2) {
      fail(
        `clusters[${i}].replicas`,
        `${c.name} would have two master-eligible Elasticsearch nodes, and two nodes lose their quorum when either one fails`,
        'choose 1 node, or 3 or more',
      );
    }
  });
}

function checkLicence(
  request: GenerateRequest,
): ElasticsearchLicence | undefined {
  if (request.clusters.length < 2) return undefined;
  const licence = request.elasticsearch?.licence;
  if (!licence || !LICENCES.includes(licence)) {
    fail(
      'elasticsearch.licence',
      `${
        licence ? `"${licence}" is no licence that` : 'no licence is given;'
      } cross-cluster replication, which links the clusters, needs an enterprise or platinum licence (or a 30-day trial), and the basic licence refuses it`,
      'choose enterprise or platinum once the platform installs that licence in every cluster (PUT _license), or trial to evaluate',
    );
  }
  return licence;
}

function checkTransportTls(request: GenerateRequest): string {
  const secret = request.elasticsearch?.transportTlsSecret;
  if (!secret) {
    fail(
      'elasticsearch.transportTlsSecret',
      'no transport certificate Secret is given; with security on, Elasticsearch nodes and remote clusters talk over the transport port only with TLS',
      `name the Secret (tls.crt, tls.key, ca.crt) the platform provides in namespace "${request.namespace}" of every cluster, issued by one CA shared by all clusters (e.g. a cert-manager Certificate from a shared ClusterIssuer)`,
    );
  }
  checkDnsLabel('elasticsearch.transportTlsSecret', secret, 253);
  return secret;
}

/** Fails on a node count, licence or certificate Elasticsearch cannot run with. */
export function checkElasticsearch(
  request: GenerateRequest,
): ElasticsearchSettings {
  checkQuorum(request);
  return {
    licence: checkLicence(request),
    transportTlsSecret: checkTransportTls(request),
    nodesAllowMmap: request.elasticsearch?.nodesAllowMmap === true,
  };
}
