import { ClusterDetails } from '@backstage/plugin-kubernetes-node';
import { ClusterCredentials, jwtExpiryMs } from './ClusterCredentials';

function jwt(exp: number): string {
  const part = (o: object) =>
    Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({ exp })}.sig`;
}

const details: ClusterDetails = {
  name: 'eu-west',
  url: 'https://eu-west.example',
  authMetadata: {},
};

function counting(tokens: string[]) {
  let calls = 0;
  const strategy = {
    getCredential: async () => {
      const token = tokens[Math.min(calls, tokens.length - 1)];
      calls += 1;
      return { type: 'bearer token' as const, token };
    },
    validateCluster: () => [],
    presentAuthMetadata: () => ({}),
  };
  return { strategy, calls: () => calls };
}

const authOf = async (c: ClusterCredentials) =>
  ((await c.resolve()).options.headers as Record<string, string>)
    ?.Authorization;

describe('ClusterCredentials', () => {
  it("reads a JWT's expiry and ignores other tokens", () => {
    expect(jwtExpiryMs(jwt(1000))).toBe(1_000_000);
    expect(jwtExpiryMs('plain-token')).toBeUndefined();
  });

  it('keeps a JWT until a minute before it expires, then resolves again', async () => {
    let now = 0;
    const { strategy, calls } = counting([jwt(3600), jwt(7200)]);
    const creds = ClusterCredentials.fromStrategy(details, strategy, {
      now: () => now,
    });
    expect(await authOf(creds)).toBe(`Bearer ${jwt(3600)}`);
    now = 3_539_000;
    expect(await authOf(creds)).toBe(`Bearer ${jwt(3600)}`);
    expect(calls()).toBe(1);
    now = 3_541_000;
    expect(await authOf(creds)).toBe(`Bearer ${jwt(7200)}`);
    expect(calls()).toBe(2);
  });

  it('re-resolves an opaque token after refreshMs, and at once after invalidate', async () => {
    let now = 0;
    const { strategy, calls } = counting(['one', 'two', 'three']);
    const creds = ClusterCredentials.fromStrategy(details, strategy, {
      now: () => now,
      refreshMs: 1000,
    });
    await Promise.all([creds.resolve(), creds.resolve()]);
    expect(calls()).toBe(1);
    now = 1001;
    expect(await authOf(creds)).toBe('Bearer two');
    creds.invalidate();
    expect(await authOf(creds)).toBe('Bearer three');
  });

  it('does not cache a failed resolution', async () => {
    let fail = true;
    const strategy = {
      getCredential: async () => {
        if (fail) throw new Error('token file missing');
        return { type: 'bearer token' as const, token: 'ok' };
      },
      validateCluster: () => [],
      presentAuthMetadata: () => ({}),
    };
    const creds = ClusterCredentials.fromStrategy(details, strategy);
    await expect(creds.resolve()).rejects.toThrow('token file missing');
    fail = false;
    expect(await authOf(creds)).toBe('Bearer ok');
  });
});
