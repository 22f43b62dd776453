import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { TopologyWorkload } from '@multicluster/backstage-plugin-statefulsets-common';
import {
  describeRoleSource,
  summariseVolumes,
  WorkloadBlock,
} from './WorkloadBlock';

const claim = (name: string, bound = true) => ({
  claimName: name,
  size: '10Gi',
  storageClass: 'gp3',
  accessModes: ['ReadWriteOnce'],
  bound,
  sharedWith: [],
});

describe('summariseVolumes', () => {
  it('counts claims that look alike', () => {
    expect(
      summariseVolumes([claim('a'), claim('b'), claim('c', false)]),
    ).toEqual(['2 × 10Gi gp3 RWO bound', '1 × 10Gi gp3 RWO pending']);
  });
});

function workload(overrides: Partial<TopologyWorkload>): TopologyWorkload {
  return {
    kind: 'StatefulSet',
    apiVersion: 'apps/v1',
    name: 'orders-mysql-secondary',
    namespace: 'databases',
    role: 'passive',
    replicas: { desired: 1, ready: 1, updated: 1 },
    image: 'bitnami/mysql:8.4.2',
    ordinalsStart: 0,
    pods: [],
    volumes: [],
    ...overrides,
  };
}

describe('WorkloadBlock', () => {
  it("shows a role read from the chart's component label with its source", async () => {
    await renderInTestApp(
      <WorkloadBlock
        cluster="eu-central"
        workload={workload({
          roleSource: 'chart-component-label',
          component: 'secondary',
        })}
        onSelect={() => {}}
      />,
    );
    expect(
      screen.getByLabelText('Role of orders-mysql-secondary'),
    ).toHaveTextContent(
      "replica · role from the chart's component label (secondary)",
    );
  });

  it('shows no source for a role set by the annotation', async () => {
    await renderInTestApp(
      <WorkloadBlock
        cluster="eu-central"
        workload={workload({ component: 'secondary' })}
        onSelect={() => {}}
      />,
    );
    expect(
      screen.getByText('StatefulSet orders-mysql-secondary'),
    ).toBeVisible();
    expect(
      screen.queryByLabelText('Role of orders-mysql-secondary'),
    ).not.toBeInTheDocument();
  });

  it('names CloudNativePG as the source of an operator role', () => {
    expect(
      describeRoleSource(
        workload({
          kind: 'Cluster',
          role: 'active',
          roleSource: 'cloudnative-pg',
        }),
      ),
    ).toBe('primary · role from CloudNativePG');
  });

  it('names the engine as the source of its role, and a declared role it overrides', async () => {
    await renderInTestApp(
      <WorkloadBlock
        cluster="eu-west"
        workload={workload({
          role: 'active',
          roleSource: 'mysqld-exporter',
          declaredRole: 'passive',
        })}
        onSelect={() => {}}
      />,
    );
    expect(
      screen.getByLabelText('Role of orders-mysql-secondary'),
    ).toHaveTextContent(
      'primary · role from the engine (mysqld_exporter) (declared replica: the engine wins)',
    );
  });
});
