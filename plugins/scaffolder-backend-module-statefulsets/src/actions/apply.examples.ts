/*
 * Examples shown in the scaffolder's action list for
 * `multicluster:statefulset:apply`, and run by its tests.
 */
import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

/** Examples of `multicluster:statefulset:apply` steps. */
export const examples: TemplateExample[] = [
  {
    description:
      'Applies what the generate step wrote and registers the catalog entity',
    example: stringify({
      steps: [
        {
          id: 'apply',
          action: 'multicluster:statefulset:apply',
          name: 'Apply to the clusters',
          input: {
            entityRef: "${{ steps['generate'].output.entityRef }}",
            namespace: '${{ parameters.namespace }}',
            clusters: "${{ steps['generate'].output.clusters }}",
            catalogInfoPath: "${{ steps['generate'].output.catalogInfoPath }}",
          },
        },
      ],
    }),
  },
  {
    description: 'Applies one cluster by hand, without registering an entity',
    example: stringify({
      steps: [
        {
          id: 'apply',
          action: 'multicluster:statefulset:apply',
          name: 'Apply to eu-west',
          input: {
            entityRef: 'component:default/orders-db',
            namespace: 'orders',
            clusters: [
              {
                name: 'eu-west',
                manifests: [
                  'clusters/eu-west/service-headless.yaml',
                  'clusters/eu-west/statefulset.yaml',
                ],
              },
            ],
            register: false,
          },
        },
      ],
    }),
  },
];
