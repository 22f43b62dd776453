import { ConfigReader } from '@backstage/config';
import { readPrometheusConfig } from './readPrometheusConfig';

describe('readPrometheusConfig', () => {
  it('is undefined without a prometheus block', () => {
    expect(
      readPrometheusConfig(new ConfigReader({ multiclusterStatefulsets: {} })),
    ).toBeUndefined();
  });

  it('reads every key, an emptied query included', () => {
    expect(
      readPrometheusConfig(
        new ConfigReader({
          multiclusterStatefulsets: {
            prometheus: {
              url: 'http://prometheus:9090',
              queries: { mysql: 'm{cluster="{{cluster}}"}', kafka: '' },
              timeoutMs: 1500,
              maxAgeSeconds: 60,
              bearerToken: 'token',
              headers: { 'X-Scope-OrgID': 'tenant' },
            },
          },
        }),
      ),
    ).toEqual({
      url: 'http://prometheus:9090',
      queries: { mysql: 'm{cluster="{{cluster}}"}', kafka: '' },
      timeoutMs: 1500,
      maxAgeSeconds: 60,
      bearerToken: 'token',
      headers: { 'X-Scope-OrgID': 'tenant' },
    });
  });

  it('refuses a missing URL and bounds that are not positive', () => {
    expect(() =>
      readPrometheusConfig(
        new ConfigReader({ multiclusterStatefulsets: { prometheus: {} } }),
      ),
    ).toThrow(/prometheus.url/);
    expect(() =>
      readPrometheusConfig(
        new ConfigReader({
          multiclusterStatefulsets: {
            prometheus: { url: 'http://p:9090', timeoutMs: 0 },
          },
        }),
      ),
    ).toThrow(
      'multiclusterStatefulsets.prometheus.timeoutMs must be a positive number',
    );
  });
});
