import { mockServices } from '@backstage/backend-test-utils';
import express from 'express';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createApplyRouter } from '../../apply/createApplyRouter';
import { createDiscoveryRouter } from '../../discovery/createDiscoveryRouter';
import { createFailoverRouter } from '../../failover/createFailoverRouter';
import { createLagHistoryRouter } from '../../lag/createLagHistoryRouter';
import { createRouter } from '../../service/createRouter';
import { spec } from './generated/router';

/** `METHOD /path/{param}` of every route a router serves, but the spec's own. */
function routesOf(router: express.Router): string[] {
  return router.stack
    .filter(layer => layer.route && layer.route.path !== '/openapi.json')
    .flatMap(layer =>
      Object.keys((layer.route as any).methods).map(
        method =>
          `${method.toUpperCase()} ${String(layer.route!.path).replace(
            /:(\w+)/g,
            '{$1}',
          )}`,
      ),
    );
}

describe('generated router', () => {
  it('holds exactly the spec in openapi.yaml (regenerate after editing it)', () => {
    const yaml = parse(
      readFileSync(join(__dirname, '..', 'openapi.yaml'), 'utf8'),
    );
    expect(spec).toEqual(yaml);
  });

  it('describes every route the plugin serves, and nothing else', async () => {
    const services = {
      httpAuth: mockServices.httpAuth(),
      permissions: mockServices.permissions(),
      auditor: mockServices.auditor.mock(),
    };
    const routers = [
      await createRouter({ ...services, topology: {} as any }),
      await createFailoverRouter({
        ...services,
        engine: {} as any,
        store: {} as any,
        topology: {} as any,
      }),
      await createApplyRouter({ ...services, apply: {} as any }),
      await createLagHistoryRouter({
        ...services,
        topology: {} as any,
        runs: {} as any,
        history: {} as any,
        sampleIntervalSeconds: 10,
        rangeSources: [],
      }),
      await createDiscoveryRouter({ ...services, discovery: {} as any }),
    ];
    const served = routers.flatMap(routesOf).sort();
    const described = Object.entries(spec.paths)
      .flatMap(([path, item]) =>
        Object.keys(item).map(method => `${method.toUpperCase()} ${path}`),
      )
      .sort();
    expect(served).toEqual(described);
  });
});
