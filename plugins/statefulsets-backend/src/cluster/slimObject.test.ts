import { slimObject } from './slimObject';

describe('slimObject', () => {
  it('keeps what pods need and drops the rest', () => {
    const pod = slimObject('pods', {
      metadata: {
        name: 'db-0',
        namespace: 'ns',
        labels: { a: 'b' },
        annotations: { big: 'x' },
        managedFields: [{}],
      },
      spec: {
        nodeName: 'n1',
        containers: [
          { name: 'c', env: [{ name: 'PASSWORD', value: 'hunter2' }] },
        ],
        volumes: [
          { name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } },
          { name: 'tmp', emptyDir: {} },
        ],
      },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }, { type: 'Other' }],
      },
    });
    expect(JSON.stringify(pod)).not.toContain('hunter2');
    expect(JSON.stringify(pod)).not.toContain('managedFields');
    expect(pod.spec.volumes).toEqual([
      { name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } },
    ]);
    expect(pod.status.conditions).toEqual([{ type: 'Ready', status: 'True' }]);
  });

  it('replaces StatefulSet env values by a digest that still shows differences', () => {
    const sts = (value: string) =>
      slimObject('statefulSets', {
        metadata: {
          name: 's',
          annotations: {
            'kubectl.kubernetes.io/last-applied-configuration': '{}',
          },
        },
        spec: {
          template: {
            spec: {
              containers: [
                { name: 'c', image: 'i', env: [{ name: 'P', value }] },
              ],
            },
          },
        },
      });
    const a = sts('secret-one');
    const b = sts('secret-two');
    expect(JSON.stringify(a)).not.toContain('secret-one');
    expect(a.metadata.annotations).toEqual({});
    expect(a.spec.template.spec.containers[0].env[0].value).not.toEqual(
      b.spec.template.spec.containers[0].env[0].value,
    );
  });

  it("keeps a chart replica's replication source in clear and digests the rest", () => {
    const sts = slimObject('statefulSets', {
      metadata: { name: 'shop-mysql-dr-secondary' },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'mysql',
                env: [
                  { name: 'MYSQL_REPLICATION_MODE', value: 'slave' },
                  {
                    name: 'MYSQL_MASTER_HOST',
                    value: 'shop-mysql-primary.databases.svc.clusterset.local',
                  },
                  { name: 'MYSQL_MASTER_ROOT_PASSWORD', value: 'hunter2' },
                ],
              },
            ],
          },
        },
      },
    });
    const env = sts.spec.template.spec.containers[0].env;
    expect(env[0].value).toBe('slave');
    expect(env[1].value).toBe(
      'shop-mysql-primary.databases.svc.clusterset.local',
    );
    expect(env[2].value).toMatch(/^sha256:/);
  });

  it("digests env values anywhere in an operator resource's spec", () => {
    const es = slimObject('elasticsearches', {
      metadata: { name: 'logs' },
      spec: {
        nodeSets: [
          {
            name: 'default',
            config: { 'cluster.remote.leader.mode': 'proxy' },
            podTemplate: {
              spec: {
                containers: [
                  { name: 'elasticsearch', env: [{ name: 'P', value: 'x' }] },
                ],
              },
            },
          },
        ],
      },
    });
    const nodeSet = es.spec.nodeSets[0];
    expect(nodeSet.config).toEqual({ 'cluster.remote.leader.mode': 'proxy' });
    expect(nodeSet.podTemplate.spec.containers[0].env[0].value).toMatch(
      /^sha256:/,
    );
  });
});
