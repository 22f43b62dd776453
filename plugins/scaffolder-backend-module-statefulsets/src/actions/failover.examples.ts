/*
 * Examples of the `multicluster:failover` action, shown in the portal's action
 * list and run by the tests.
 */
import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** Usage examples. */
export const examples: TemplateExample[] = [
  {
    description: 'Planned switchover of the demo MySQL to eu-west',
    example: yaml.stringify({
      steps: [
        {
          id: 'switchover',
          action: 'multicluster:failover',
          name: 'Switch orders-mysql over to eu-west',
          input: {
            entityRef: 'component:default/orders-mysql',
            targetCluster: 'eu-west',
            mode: 'switchover',
            confirm: 'orders-mysql',
          },
        },
      ],
    }),
  },
  {
    description: 'Emergency failover while the active cluster is unreachable',
    example: yaml.stringify({
      steps: [
        {
          id: 'failover',
          action: 'multicluster:failover',
          name: 'Fail orders-mysql over to eu-west',
          input: {
            entityRef: 'component:default/orders-mysql',
            targetCluster: 'eu-west',
            mode: 'failover',
            confirm: 'orders-mysql',
            force: true,
            timeoutSeconds: 300,
          },
        },
      ],
    }),
  },
];
