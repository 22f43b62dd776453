import { compareVersions, parseEngineVersion } from './engineVersion';

function version(image: string) {
  const parsed = parseEngineVersion(image);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.version;
}

describe('parseEngineVersion', () => {
  it('reads official, Bitnami and registry-qualified tags', () => {
    expect(version('mysql:8.4.2')).toEqual({
      major: 8,
      minor: 4,
      patch: 2,
      tag: '8.4.2',
    });
    expect(version('bitnami/mysql:8.0.36-debian-12-r1')).toMatchObject({
      major: 8,
      minor: 0,
      patch: 36,
    });
    expect(version('postgres:16.3')).toEqual({
      major: 16,
      minor: 3,
      patch: undefined,
      tag: '16.3',
    });
    expect(
      version('registry.local:5000/cloudnative-pg/postgresql:17@sha256:ab'),
    ).toMatchObject({ major: 17, minor: undefined });
  });

  it("reads the Kafka version of Strimzi's <operator>-kafka-<kafka> tags", () => {
    expect(version('quay.io/strimzi/kafka:1.2.0-kafka-4.1.0')).toEqual({
      major: 4,
      minor: 1,
      patch: 0,
      tag: '4.1.0',
    });
    expect(version('apache/kafka:3.9.1')).toMatchObject({ major: 3, patch: 1 });
  });

  it('says why a tag names no version', () => {
    expect(parseEngineVersion('mysql')).toEqual({
      ok: false,
      reason: expect.stringContaining('has no tag'),
    });
    expect(parseEngineVersion('mysql:latest')).toEqual({
      ok: false,
      reason: expect.stringContaining(
        'tag "latest" of mysql:latest names no version',
      ),
    });
    expect(parseEngineVersion('registry:5000/mongo@sha256:ab')).toEqual({
      ok: false,
      reason: expect.stringContaining('pinned by digest only'),
    });
  });
});

describe('compareVersions', () => {
  it('orders major, minor and patch from the primary to the replica', () => {
    const cmp = (p: string, r: string) =>
      compareVersions(version(`x:${p}`), version(`x:${r}`));
    expect(cmp('8.4.2', '8.4.2')).toBe('same');
    expect(cmp('16', '17')).toBe('major-gap');
    expect(cmp('17.2', '16.9')).toBe('major-gap');
    expect(cmp('8.4.2', '8.4.1')).toBe('replica-older');
    expect(cmp('8.4.0', '8.0.36')).toBe('replica-older');
    expect(cmp('8.0.36', '8.4.0')).toBe('replica-newer');
    expect(cmp('8.4', '8.4.2')).toBe('imprecise');
    expect(cmp('8.4', '8.4')).toBe('same');
  });
});
