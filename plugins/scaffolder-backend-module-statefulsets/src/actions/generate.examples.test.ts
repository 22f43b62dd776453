import fs from 'node:fs';
import path from 'node:path';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { parse } from 'yaml';
import { StaticClusterDirectory } from '../clusters/ClusterDirectory';
import { demoClusters } from '../__fixtures__/clusters';
import { createGenerateStatefulSetAction } from './generate';
import { examples } from './generate.examples';

// Each example generates a whole multi-cluster database and writes it out.
jest.setTimeout(30_000);

describe('multicluster:statefulset:generate examples', () => {
  const workspace = createMockDirectory();
  const action = createGenerateStatefulSetAction({
    clusterDirectory: new StaticClusterDirectory(demoClusters),
  });

  beforeEach(() => workspace.clear());

  it.each(examples.map(e => [e.description, e] as const))(
    'runs: %s',
    async (_description, example) => {
      const step = parse(example.example).steps[0];
      expect(step.action).toBe(action.id);
      const ctx = createMockActionContext({
        input: step.input,
        workspacePath: workspace.path,
      });

      await action.handler(ctx);

      const output = Object.fromEntries(
        (ctx.output as jest.Mock).mock.calls.map(([k, v]) => [k, v]),
      );
      expect(output.entityRef).toBe(`component:default/${step.input.name}`);
      expect(output.files.length).toBeGreaterThan(0);
      for (const file of output.files as string[]) {
        expect(fs.existsSync(path.join(workspace.path, file))).toBe(true);
      }
      // Every cluster asked for gets something to apply.
      for (const c of step.input.clusters) {
        const target = output.clusters.find(
          (t: { name: string }) => t.name === c.name,
        );
        expect(target.manifests.length).toBeGreaterThan(0);
      }
      const entity = parse(
        fs.readFileSync(
          path.join(workspace.path, output.catalogInfoPath),
          'utf8',
        ),
      );
      expect(entity.spec.owner).toBe(step.input.owner);
      expect(
        entity.metadata.annotations['multicluster-statefulsets/engine'],
      ).toBe(step.input.engine);
    },
  );
});
