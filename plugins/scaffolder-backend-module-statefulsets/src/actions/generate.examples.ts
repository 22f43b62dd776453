/*
 * Examples shown in the scaffolder's action list and run by the tests, so
 * every one of them is known to generate valid manifests.
 */
import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

/** Examples of `multicluster:statefulset:generate` steps. */
export const examples: TemplateExample[] = [
  {
    description:
      'MySQL, active-passive across two EU clusters, Istio routing, no federation',
    example: stringify({
      steps: [
        {
          id: 'generate',
          action: 'multicluster:statefulset:generate',
          name: 'Generate manifests',
          input: {
            name: 'orders-db',
            namespace: 'orders',
            engine: 'mysql',
            strategy: 'active-passive',
            clusters: [
              { name: 'eu-central', role: 'active', weight: 100, replicas: 3 },
              { name: 'eu-west', role: 'passive', weight: 0, replicas: 2 },
            ],
            storage: { size: '20Gi', storageClass: 'fast-ssd' },
            routing: 'istio',
            owner: 'group:default/database-platform',
            allowedRegions: ['eu-*'],
          },
        },
      ],
    }),
  },
  {
    description:
      'PostgreSQL (CloudNativePG replica clusters trusting one shared CA) propagated by Karmada, MCS routing',
    example: stringify({
      steps: [
        {
          id: 'generate',
          action: 'multicluster:statefulset:generate',
          name: 'Generate manifests',
          input: {
            name: 'payments-db',
            namespace: 'payments',
            engine: 'postgresql',
            strategy: 'active-passive',
            clusters: [
              { name: 'eu-central', role: 'active', weight: 100, replicas: 3 },
              { name: 'us-east', role: 'passive', weight: 0, replicas: 2 },
            ],
            storage: { size: '50Gi' },
            federation: 'karmada',
            routing: 'mcs',
            owner: 'group:default/database-platform',
            system: 'data-platform',
            // A CA Secret the platform put into payments in both clusters.
            postgresql: { serverCASecret: 'postgres-ca' },
          },
        },
      ],
    }),
  },
  {
    description:
      'Elasticsearch, active-active in three clusters through KubeFed, with an enterprise licence and shared-CA transport certificates, written under manifests/',
    example: stringify({
      steps: [
        {
          id: 'generate',
          action: 'multicluster:statefulset:generate',
          name: 'Generate manifests',
          input: {
            name: 'search',
            namespace: 'search',
            engine: 'elasticsearch',
            strategy: 'active-active',
            clusters: [
              { name: 'eu-central', role: 'active', weight: 40, replicas: 3 },
              { name: 'eu-west', role: 'active', weight: 30, replicas: 3 },
              { name: 'us-east', role: 'active', weight: 30, replicas: 3 },
            ],
            storage: { size: '100Gi', storageClass: 'fast-ssd' },
            federation: 'kubefed',
            routing: 'istio',
            elasticsearch: {
              licence: 'enterprise',
              transportTlsSecret: 'search-transport-tls',
            },
            owner: 'group:default/platform',
            targetPath: 'manifests',
          },
        },
      ],
    }),
  },
];
