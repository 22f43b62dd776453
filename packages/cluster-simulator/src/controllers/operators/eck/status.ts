/*
 * The status the simulated ECK operator writes on an Elasticsearch: health,
 * phase, available nodes, version and conditions, read from its pods.
 */
import { isoSeconds } from '../../../api/timestamp';
import { type KubeObject } from '../../types';
import { VERSION_LABEL } from './resources';

function isReady(pod: KubeObject): boolean {
  return (pod.status?.conditions ?? []).some(
    (c: any) => c.type === 'Ready' && c.status === 'True',
  );
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] || 0) - (pb[i] || 0);
    if (d) return d;
  }
  return 0;
}

/** The status ECK reports, read from the pods it runs. */
export function elasticsearchStatus(
  es: KubeObject,
  pods: KubeObject[],
  now: number,
): any {
  const desired = (es.spec?.nodeSets ?? []).reduce(
    (n: number, s: any) => n + Math.max(0, Number(s?.count ?? 1)),
    0,
  );
  const ready = pods.filter(isReady).length;
  const quorum = Math.floor(desired / 2) + 1;
  let health = 'unknown';
  if (ready > 0 && ready >= desired) health = 'green';
  else if (ready >= quorum) health = 'yellow';
  else if (ready > 0) health = 'red';
  const specVersion = String(es.spec?.version ?? '');
  const running = pods
    .map(p => p.metadata.labels?.[VERSION_LABEL])
    .filter((v): v is string => !!v)
    .sort(compareVersions);
  const version = running[0] ?? specVersion;
  const settled =
    ready === desired &&
    pods.length === desired &&
    running.every(v => v === specVersion);
  const previous: any[] = es.status?.conditions ?? [];
  const condition = (type: string, ok: boolean, message: string) => {
    const status = ok ? 'True' : 'False';
    const before = previous.find(c => c.type === type);
    return {
      type,
      status,
      message,
      lastTransitionTime:
        before?.status === status && before.lastTransitionTime
          ? before.lastTransitionTime
          : isoSeconds(now),
    };
  };
  return {
    ...(desired > 0 || ready > 0 ? { availableNodes: ready } : {}),
    health,
    phase: settled ? 'Ready' : 'ApplyingChanges',
    version,
    observedGeneration: es.metadata.generation,
    conditions: [
      condition(
        'ReconciliationComplete',
        settled,
        settled ? '' : `${ready} of ${desired} nodes ready`,
      ),
      condition(
        'RunningDesiredVersion',
        running.every(v => v === specVersion),
        `Running version ${version}`,
      ),
      condition(
        'ElasticsearchIsReachable',
        ready > 0,
        ready > 0
          ? `Service ${es.metadata.namespace}/${es.metadata.name}-es-internal-http has endpoints`
          : `Service ${es.metadata.namespace}/${es.metadata.name}-es-internal-http has no endpoints`,
      ),
    ],
  };
}
