import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { StaticClusterDirectory } from '../clusters/ClusterDirectory';
import { createGenerateStatefulSetAction } from './generate';

// The Software Template ships beside the action; keep the two in step.
const TEMPLATE = path.resolve(
  __dirname,
  '../../../../examples/templates/multicluster-database/template.yaml',
);

describe('multicluster-database template', () => {
  const template = parse(fs.readFileSync(TEMPLATE, 'utf8'));
  const action = createGenerateStatefulSetAction({
    clusterDirectory: new StaticClusterDirectory([]),
  });

  it('passes only inputs the generate action knows', () => {
    const step = template.spec.steps.find(
      (s: { action: string }) => s.action === action.id,
    );
    const known = Object.keys(
      (action.schema?.input as { properties: object }).properties,
    );
    expect(Object.keys(step.input).filter(k => !known.includes(k))).toEqual([]);
  });

  it('runs generate, apply and registration, and links the entity', () => {
    expect(
      template.spec.steps.map((s: { id: string; action: string }) => s.action),
    ).toEqual([
      'multicluster:statefulset:generate',
      'multicluster:statefulset:apply',
      'catalog:register',
    ]);
    expect(template.spec.output.links[0].entityRef).toBe(
      "${{ steps['generate'].output.entityRef }}",
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
});
