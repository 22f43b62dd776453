import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { catalogModuleMulticlusterStatefulsets } from './module';

describe('catalogModuleMulticlusterStatefulsets', () => {
  it('registers the generated-entity provider with the catalog', async () => {
    const addEntityProvider = jest.fn();
    await startTestBackend({
      extensionPoints: [
        [catalogProcessingExtensionPoint, { addEntityProvider } as any],
      ],
      features: [
        catalogModuleMulticlusterStatefulsets,
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              providers: { multiclusterStatefulsets: { frequencySeconds: 2 } },
            },
          },
        }),
      ],
    });
    expect(addEntityProvider).toHaveBeenCalledTimes(1);
    expect(addEntityProvider.mock.calls[0][0].getProviderName()).toBe(
      'multicluster-statefulsets-generated',
    );
  });
});

describe('catalogModuleMulticlusterStatefulsets with discovery', () => {
  it('adds the discovered-database provider only when configured on', async () => {
    const addEntityProvider = jest.fn();
    await startTestBackend({
      extensionPoints: [
        [catalogProcessingExtensionPoint, { addEntityProvider } as any],
      ],
      features: [
        catalogModuleMulticlusterStatefulsets,
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              providers: {
                multiclusterStatefulsets: {
                  discovery: { enabled: true, frequencySeconds: 30 },
                },
              },
            },
          },
        }),
      ],
    });
    expect(
      addEntityProvider.mock.calls.map(([p]) => p.getProviderName()),
    ).toEqual([
      'multicluster-statefulsets-generated',
      'multicluster-statefulsets-discovery',
    ]);
  });
});
