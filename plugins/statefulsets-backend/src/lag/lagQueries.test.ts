import {
  DEFAULT_LAG_QUERIES,
  escapePromQLString,
  placeholdersOf,
  renderLagQuery,
  resolveLagQueries,
} from './lagQueries';

const target = {
  engine: 'mysql',
  namespace: 'databases',
  workload: 'orders-db',
  cluster: 'eu-west',
  source: 'eu-central',
};

describe('renderLagQuery', () => {
  it('fills every placeholder in, with or without spaces inside the braces', () => {
    expect(
      renderLagQuery(
        'lag{namespace="{{namespace}}",statefulset="{{ statefulset }}",cluster="{{cluster}}",source="{{source}}"}',
        target,
      ),
    ).toEqual({
      query:
        'lag{namespace="databases",statefulset="orders-db",cluster="eu-west",source="eu-central"}',
    });
  });

  it('renders each default into a bare selector of its exporter', () => {
    expect(renderLagQuery(DEFAULT_LAG_QUERIES.mysql, target)).toEqual({
      query:
        'mysql_slave_status_seconds_behind_master{namespace="databases", statefulset="orders-db", cluster="eu-west"}',
    });
    expect(renderLagQuery(DEFAULT_LAG_QUERIES.kafka, target)).toEqual({
      query:
        'kafka_connect_mirror_mirrorsourceconnector_replication_latency_ms{namespace="databases", statefulset="orders-db", cluster="eu-west"} / 1000',
    });
    for (const template of Object.values(DEFAULT_LAG_QUERIES)) {
      expect(placeholdersOf(template)).not.toContain('source');
    }
  });

  it('escapes values so they cannot leave the string literal', () => {
    const out = renderLagQuery('m{cluster="{{cluster}}"}', {
      ...target,
      cluster: 'a"} or vector(1) or m{x="\\',
    });
    expect(out).toEqual({
      query: 'm{cluster="a\\"} or vector(1) or m{x=\\"\\\\"}',
    });
    expect(escapePromQLString('a\nb')).toBe('a\\nb');
  });

  it('names the placeholders it has no value for', () => {
    expect(
      renderLagQuery('m{source="{{source}}"}', {
        ...target,
        source: undefined,
      }),
    ).toEqual({ missing: ['source'] });
  });
});

describe('resolveLagQueries', () => {
  it('puts configured queries over the defaults and drops emptied ones', () => {
    const queries = resolveLagQueries({
      mysql: ' custom{cluster="{{cluster}}"} ',
      kafka: '',
      redis: 'redis_lag{cluster="{{cluster}}"}',
    });
    expect(queries.get('mysql')).toBe('custom{cluster="{{cluster}}"}');
    expect(queries.has('kafka')).toBe(false);
    expect(queries.get('redis')).toBe('redis_lag{cluster="{{cluster}}"}');
    expect(queries.get('postgresql')).toBe(DEFAULT_LAG_QUERIES.postgresql);
  });

  it('refuses an unknown placeholder, naming the engine', () => {
    expect(() => resolveLagQueries({ mysql: 'm{pod="{{pod}}"}' })).toThrow(
      /query for mysql uses unknown placeholder\(s\) \{\{pod\}\}/,
    );
  });
});
