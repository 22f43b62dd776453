import { GenerateRequest } from '../types';
import { checkPostgresql } from './checkPostgresql';

function request(overrides: Partial<GenerateRequest> = {}): GenerateRequest {
  return {
    name: 'payments-db',
    namespace: 'payments',
    engine: 'postgresql',
    strategy: 'active-passive',
    clusters: [
      { name: 'eu-central', role: 'active', weight: 100, replicas: 3 },
      { name: 'eu-west', role: 'passive', weight: 0, replicas: 2 },
    ],
    storage: { size: '20Gi' },
    owner: 'group:default/dba',
    postgresql: { serverCASecret: 'postgres-ca' },
    ...overrides,
  };
}

const check = (r: GenerateRequest) =>
  checkPostgresql(r, r.federation ?? 'none', {
    size: r.storage.size,
    accessMode: 'ReadWriteOnce',
  });

describe('checkPostgresql', () => {
  it('refuses replica clusters without a shared CA, saying what the platform must provide', () => {
    expect(() => check(request({ postgresql: undefined }))).toThrow(
      /^postgresql\.serverCASecret: replica clusters connect to each other with sslmode verify-full .* no shared CA is given; have the platform put a Secret with ca\.crt and ca\.key of a CA shared by all clusters .* into the namespace of every cluster under the same name, and give its name in postgresql\.serverCASecret$/,
    );
    expect(() =>
      check(request({ postgresql: { clientCASecret: 'client-ca' } })),
    ).toThrow(/^postgresql\.serverCASecret: /);
  });

  it('lets one cluster keep the certificates its operator makes', () => {
    const single = request({ postgresql: undefined });
    single.clusters = single.clusters.slice(0, 1);
    expect(check(single)).toBeUndefined();
  });

  it('issues client certificates from the server CA unless a client CA is given', () => {
    expect(check(request())).toEqual({
      serverCASecret: 'postgres-ca',
      clientCASecret: 'postgres-ca',
    });
    expect(
      check(
        request({
          postgresql: {
            serverCASecret: 'pg.server-ca',
            clientCASecret: 'pg.client-ca',
          },
        }),
      ),
    ).toEqual({
      serverCASecret: 'pg.server-ca',
      clientCASecret: 'pg.client-ca',
    });
  });

  it.each([
    [{ serverCASecret: 'Postgres_CA' }, 'postgresql.serverCASecret'],
    [
      { serverCASecret: 'postgres-ca', clientCASecret: 'client ca' },
      'postgresql.clientCASecret',
    ],
  ])('refuses a CA Secret name that is no Secret name (%j)', (tls, field) => {
    expect(() => check(request({ postgresql: tls }))).toThrow(
      new RegExp(`^${field.replace('.', '\\.')}: ".*" is not a Secret name`),
    );
  });

  it("refuses a port other than CloudNativePG's", () => {
    expect(() => check(request({ port: 6432 }))).toThrow(
      /^port: CloudNativePG instances always listen on 5432, so port 6432 would reach nothing; leave port empty or set it to 5432$/,
    );
    expect(check(request({ port: 5432 }))).toBeDefined();
  });
});
