import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { StaticClusterDirectory } from '../clusters/ClusterDirectory';
import { mockServices } from '@backstage/backend-test-utils';
import { StatefulsetsBackendClient } from '../backend/StatefulsetsBackendClient';
import { createApplyStatefulSetAction } from './apply';
import { createGenerateStatefulSetAction } from './generate';

// The Software Template ships beside the action; keep the two in step.
const TEMPLATE = path.resolve(
  __dirname,
  '../../templates/multicluster-database/template.yaml',
);

describe('multicluster-database template', () => {
  const template = parse(fs.readFileSync(TEMPLATE, 'utf8'));
  const action = createGenerateStatefulSetAction({
    clusterDirectory: new StaticClusterDirectory([]),
  });

  const applyAction = createApplyStatefulSetAction({
    client: StatefulsetsBackendClient.create({
      discovery: mockServices.discovery(),
      auth: mockServices.auth(),
    }),
  });

  it.each([action, applyAction].map(a => [a.id, a] as const))(
    'passes only inputs %s knows',
    (_id, a) => {
      const step = template.spec.steps.find(
        (s: { action: string }) => s.action === a.id,
      );
      const known = Object.keys(
        (a.schema?.input as { properties: object }).properties,
      );
      expect(Object.keys(step.input).filter(k => !known.includes(k))).toEqual(
        [],
      );
    },
  );

  it('generates and applies, registering offline through the apply step, and links the entity', () => {
    expect(
      template.spec.steps.map((s: { id: string; action: string }) => s.action),
    ).toEqual([
      'multicluster:statefulset:generate',
      'multicluster:statefulset:apply',
    ]);
    const apply = template.spec.steps[1];
    expect(apply.input.register).not.toBe(false);
    expect(apply.input.catalogInfoPath).toBe(
      "${{ steps['generate'].output.catalogInfoPath }}",
    );
    expect(template.spec.output.links[0].entityRef).toBe(
      "${{ steps['apply'].output.entityRef }}",
    );
  });

  it('asks for the clusters with the MultiClusterPicker field', () => {
    const clusters = template.spec.parameters
      .map((p: { properties: Record<string, any> }) => p.properties.clusters)
      .find(Boolean);
    expect(clusters['ui:field']).toBe('MultiClusterPicker');
    expect(clusters.items.required).toEqual([
      'name',
      'role',
      'weight',
      'replicas',
    ]);
  });

  it("asks for PostgreSQL's shared CA and passes it to the generator", () => {
    const branches = template.spec.parameters.flatMap(
      (p: { dependencies?: { engine?: { oneOf: any[] } } }) =>
        p.dependencies?.engine?.oneOf ?? [],
    );
    const postgres = branches.find(
      (b: any) => b.properties.engine.const === 'postgresql',
    );
    expect(postgres.required).toEqual(['postgresql']);
    expect(postgres.properties.postgresql.required).toEqual(['serverCASecret']);
    expect(
      branches.some((b: any) =>
        b.properties.engine.enum?.includes('postgresql'),
      ),
    ).toBe(false);
    expect(template.spec.steps[0].input.postgresql).toBe(
      '${{ parameters.postgresql }}',
    );
  });

  it("asks for Elasticsearch's licence and transport certificates and passes them to the generator", () => {
    const branches = template.spec.parameters.flatMap(
      (p: { dependencies?: { engine?: { oneOf: any[] } } }) =>
        p.dependencies?.engine?.oneOf ?? [],
    );
    const es = branches.find(
      (b: any) => b.properties.engine.const === 'elasticsearch',
    );
    expect(es.required).toEqual(['elasticsearch']);
    expect(es.properties.elasticsearch.required).toEqual([
      'licence',
      'transportTlsSecret',
    ]);
    expect(es.properties.elasticsearch.properties.licence.enum).toEqual([
      'enterprise',
      'platinum',
      'trial',
    ]);
    expect(
      branches.filter(
        (b: any) =>
          b.properties.engine.const === 'elasticsearch' ||
          b.properties.engine.enum?.includes('elasticsearch'),
      ),
    ).toHaveLength(1);
    expect(template.spec.steps[0].input.elasticsearch).toBe(
      '${{ parameters.elasticsearch }}',
    );
  });

  it('labels choices with ui:enumNames, not the deprecated enumNames that @rjsf warns about on every render', () => {
    const labelled: string[] = [];
    const problems: string[] = [];
    const visit = (node: unknown, at: string) => {
      if (Array.isArray(node)) {
        node.forEach((n, i) => visit(n, `${at}[${i}]`));
        return;
      }
      if (!node || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      if ('enumNames' in o) problems.push(`${at}: enumNames`);
      const labels = o['ui:enumNames'] as unknown[] | undefined;
      if (labels) {
        labelled.push(at);
        if (labels.length !== (o.enum as unknown[] | undefined)?.length) {
          problems.push(`${at}: ${labels.length} labels for its enum`);
        }
      }
      for (const [k, v] of Object.entries(o)) visit(v, `${at}.${k}`);
    };
    visit(template, 'template');
    expect(problems).toEqual([]);
    expect(labelled.length).toBeGreaterThanOrEqual(5);
  });

  it("ships in the package tarball, where an adopter's catalog location points", () => {
    const pkg = JSON.parse(
      fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8'),
    );
    expect(pkg.files).toContain('templates');
    expect(
      TEMPLATE.startsWith(path.resolve(__dirname, '../../templates')),
    ).toBe(true);
  });
});
