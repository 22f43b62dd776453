/*
 * The Job that configures cross-cluster replication in a following
 * Elasticsearch cluster. Elasticsearch reads remote clusters and
 * auto-follow patterns only from its API, so the Job PUTs the bodies the
 * replication ConfigMap holds: first `_cluster/settings` (the remote
 * clusters), then every `_ccr/auto_follow/<pattern>`. Both calls are
 * idempotent, and each is retried until the local cluster answers and the
 * remote one is reachable, so the Job may start before either is up.
 */
import { createHash } from 'node:crypto';
import { KubeObject } from '../types';
import { NormalizedRequest } from '../validateRequest';
import { fromSecret, replicationConfigMapName } from './wiring';

const BODIES_DIR = '/etc/ccr';

/** The ConfigMap key of the `PUT _cluster/settings` body that declares the remote clusters. */
export const REMOTE_CLUSTERS_KEY = 'remote-clusters.json';

/** The ConfigMap key of the `PUT _ccr/auto_follow/<pattern>` body of one pattern. */
export function autoFollowKey(pattern: string): string {
  return `auto-follow.${pattern}.json`;
}

// Only bash and curl, which the Elasticsearch image carries. `call` leaves
// the answer in /tmp/answer; an unreachable remote or a missing licence is
// logged with Elasticsearch's own reason and retried.
const SCRIPT = `set -u
call() {
  while :; do
    code=$(curl -sS -o /tmp/answer -w '%{http_code}' -u "elastic:\${ELASTIC_PASSWORD}" \\
      -H 'Content-Type: application/json' -X "$1" "\${ES_URL}$2" \${3:+--data-binary "@$3"}) || true
    case "\${code}" in 2??) return 0 ;; esac
    echo "$1 $2 answered \${code:-nothing}: $(cat /tmp/answer 2>/dev/null); retrying in 10 s" >&2
    sleep 10
  done
}
until call GET /_license && grep -q '"status" *: *"active"' /tmp/answer \\
  && grep -Eq '"type" *: *"(enterprise|platinum|trial)"' /tmp/answer; do
  echo 'cross-cluster replication needs an active enterprise, platinum or trial licence in every cluster; install it with PUT _license' >&2
  sleep 30
done
call PUT /_cluster/settings "\${CCR_BODIES}/${REMOTE_CLUSTERS_KEY}"
for body in "\${CCR_BODIES}"/auto-follow.*.json; do
  pattern=\${body##*/auto-follow.}
  call PUT "/_ccr/auto_follow/\${pattern%.json}" "\${body}"
done
echo 'cross-cluster replication is configured'
`;

/**
 * Name of the CCR setup Job: a Job's pod template cannot change and a
 * finished Job never runs again, so the name carries a hash of the bodies
 * and a changed configuration makes a new Job. At most 63 characters, as
 * the job-name label the Job controller sets.
 */
export function ccrSetupJobName(
  r: NormalizedRequest,
  bodies: Record<string, string>,
): string {
  const hash = createHash('sha256')
    .update(JSON.stringify(bodies))
    .digest('hex')
    .slice(0, 6);
  return `${r.name.slice(0, 63 - `-ccr-${hash}`.length)}-ccr-${hash}`;
}

/** The Job that PUTs the API bodies (held in the ConfigMap under their keys) into the local Elasticsearch cluster. */
export function ccrSetupJob(
  r: NormalizedRequest,
  labels: Record<string, string>,
  bodies: Record<string, string>,
): KubeObject {
  // Not the database's selector labels: the Services and the budget must not pick the Job's pod.
  const jobLabels = () => ({
    ...labels,
    'app.kubernetes.io/component': 'ccr-setup',
  });
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: ccrSetupJobName(r, bodies),
      namespace: r.namespace,
      labels: jobLabels(),
    },
    spec: {
      backoffLimit: 6,
      template: {
        metadata: { labels: jobLabels() },
        spec: {
          restartPolicy: 'OnFailure',
          containers: [
            {
              name: 'ccr-setup',
              image: `${r.image}:${r.version}`,
              command: ['/bin/bash', '-c', SCRIPT],
              env: [
                // The cluster's own client Service, in the same namespace.
                { name: 'ES_URL', value: `http://${r.name}:${r.port}` },
                { name: 'CCR_BODIES', value: BODIES_DIR },
                fromSecret(r, 'ELASTIC_PASSWORD', 'elastic-password'),
              ],
              volumeMounts: [
                { name: 'ccr', mountPath: BODIES_DIR, readOnly: true },
              ],
              securityContext: {
                allowPrivilegeEscalation: false,
                runAsNonRoot: true,
              },
            },
          ],
          volumes: [
            {
              name: 'ccr',
              configMap: {
                name: replicationConfigMapName(r),
                items: Object.keys(bodies).map(key => ({ key, path: key })),
              },
            },
          ],
        },
      },
    },
  };
}
