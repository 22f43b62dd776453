/*
 * What PostgreSQL rules out: CloudNativePG has one primary, runs as its own
 * Cluster kind rather than a StatefulSet, owns its volumes and its port, and
 * links replica clusters over TLS only, so clusters must share a CA.
 */
import { Federation, GenerateRequest } from '../types';
import { NormalizedRequest } from '../validateRequest';
import { fail } from './fail';

// CloudNativePG's instances always listen here; the Services target it.
const CNPG_PORT = 5432;
// Secret names are DNS-1123 subdomains.
const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The CA Secrets shared by every cluster, as CloudNativePG's `spec.certificates` names them. */
export interface PostgresqlCertificates {
  serverCASecret: string;
  clientCASecret: string;
}

/**
 * Fails on the strategy, federation, storage, port or missing shared CA
 * PostgreSQL cannot run with; returns the CA Secrets when given.
 */
export function checkPostgresql(
  request: GenerateRequest,
  federation: Federation,
  storage: NormalizedRequest['storage'],
): PostgresqlCertificates | undefined {
  if (request.strategy === 'active-active') {
    fail(
      'strategy',
      'CloudNativePG runs one primary across its replica clusters, so PostgreSQL cannot be active-active',
      'choose strategy active-passive',
    );
  }
  if (federation === 'kubefed') {
    fail(
      'federation',
      'KubeFed here federates StatefulSets only, and PostgreSQL runs as a CloudNativePG Cluster',
      'choose federation karmada or none',
    );
  }
  if (storage.cephfs) {
    fail(
      'storage.sharedVolume',
      'CloudNativePG creates and owns its volumes; a shared CephFS volume cannot be handed to it',
      'remove storage.sharedVolume and use accessMode ReadWriteOnce',
    );
  }
  if (request.port !== undefined && request.port !== CNPG_PORT) {
    fail(
      'port',
      `CloudNativePG instances always listen on ${CNPG_PORT}, so port ${request.port} would reach nothing`,
      `leave port empty or set it to ${CNPG_PORT}`,
    );
  }
  return checkCertificates(request);
}

function checkCertificates(
  request: GenerateRequest,
): PostgresqlCertificates | undefined {
  const { serverCASecret, clientCASecret } = request.postgresql ?? {};
  if (!serverCASecret) {
    if (request.clusters.length > 1) {
      fail(
        'postgresql.serverCASecret',
        "replica clusters connect to each other with sslmode verify-full and a streaming_replica client certificate, which only works when every cluster's certificates come from one CA, but no shared CA is given",
        'have the platform put a Secret with ca.crt and ca.key of a CA shared by all clusters (for example the CA of a cert-manager ClusterIssuer) into the namespace of every cluster under the same name, and give its name in postgresql.serverCASecret',
      );
    }
    return undefined;
  }
  checkSecretName('postgresql.serverCASecret', serverCASecret);
  if (clientCASecret) {
    checkSecretName('postgresql.clientCASecret', clientCASecret);
  }
  return { serverCASecret, clientCASecret: clientCASecret || serverCASecret };
}

function checkSecretName(field: string, value: string) {
  if (!DNS_SUBDOMAIN.test(value) || value.length > 253) {
    fail(
      field,
      `"${value}" is not a Secret name`,
      "give the name of the Secret, in lower-case letters, digits, '-' and '.' (e.g. \"postgres-ca\")",
    );
  }
}
