/*
 * StatefulSets shaped as the Bitnami MySQL, PostgreSQL and MongoDB charts
 * render them (names, labels, headless Services, claim templates and
 * replication variables), for the tests of this package.
 */
import { KubeObject } from '../kube';

/** The chart, its role within the release and what to vary. */
export interface BitnamiOptions {
  chart: 'mysql' | 'postgresql' | 'mongodb';
  /** `primary`, `secondary`, `read`, `mongodb`, `arbiter` or `hidden`. */
  component: string;
  release?: string;
  image?: string;
  replicas?: number;
  storage?: string;
  storageClass?: string;
  cpu?: string;
  annotations?: Record<string, string>;
  env?: Array<{ name: string; value: string }>;
  /** The replica's source host (default: the release's own primary Service). */
  masterHost?: string;
}

const SUFFIX: Record<string, string> = {
  primary: '-primary',
  secondary: '-secondary',
  read: '-read',
  mongodb: '',
  arbiter: '-arbiter',
  hidden: '-hidden',
};

const REPLICATION_ENV: Record<string, Record<string, string>> = {
  mysql: { primary: 'master', secondary: 'slave' },
  postgresql: { primary: 'master', read: 'slave' },
};

/** A StatefulSet of a release of a Bitnami database chart (replication architecture). */
export function bitnamiStatefulSet(o: BitnamiOptions): KubeObject {
  const release = o.release ?? 'orders';
  // The charts' fullname: the release alone when it already names the chart.
  const fullname = release.includes(o.chart)
    ? release
    : `${release}-${o.chart}`;
  const name = `${fullname}${SUFFIX[o.component] ?? `-${o.component}`}`;
  const labels: Record<string, string> = {
    'app.kubernetes.io/name': o.chart,
    'app.kubernetes.io/instance': release,
    'app.kubernetes.io/managed-by': 'Helm',
    'app.kubernetes.io/component': o.component,
  };
  if (o.chart === 'mysql') labels['app.kubernetes.io/part-of'] = 'mysql';
  const prefix = o.chart.toUpperCase().replace('POSTGRESQL', 'POSTGRES');
  const mode = REPLICATION_ENV[o.chart]?.[o.component];
  const env = [...(o.env ?? [])];
  if (mode) env.push({ name: `${prefix}_REPLICATION_MODE`, value: mode });
  if (mode === 'slave') {
    env.push({
      name: `${prefix}_MASTER_HOST`,
      value: o.masterHost ?? `${fullname}-primary`,
    });
  }
  const headless = o.chart === 'postgresql' ? '-hl' : '-headless';
  const claim = o.chart === 'mongodb' ? 'datadir' : 'data';
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name,
      namespace: 'databases',
      labels,
      annotations: o.annotations ?? {},
    },
    spec: {
      replicas: o.replicas ?? 1,
      serviceName: `${name}${headless}`,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: o.chart,
              image: o.image ?? `docker.io/bitnami/${o.chart}:8.4.2`,
              resources: { requests: { cpu: o.cpu ?? '500m' } },
              env,
            },
          ],
        },
      },
      volumeClaimTemplates:
        o.component === 'arbiter'
          ? []
          : [
              {
                metadata: { name: claim },
                spec: {
                  storageClassName: o.storageClass ?? 'fast',
                  resources: {
                    requests: { storage: o.storage ?? '8Gi' },
                  },
                },
              },
            ],
    },
    status: { replicas: o.replicas ?? 1, readyReplicas: o.replicas ?? 1 },
  };
}
