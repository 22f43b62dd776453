/*
 * The credentials of the write edges, resolved when a request needs them and
 * kept until they expire: a projected service-account token or a cloud
 * token rotates while the backend runs, so resolving once at start-up would
 * make every write fail an hour later. A bearer JWT is kept until shortly
 * before its `exp`; any other credential for `refreshMs`; a 401 drops it.
 */
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import {
  AuthenticationStrategy,
  ClusterDetails,
  KubernetesCredential,
} from '@backstage/plugin-kubernetes-node';
import { ClusterRequestError } from './ClusterRequestError';

/** What one request to a cluster needs: where, and the TLS and auth options. */
export interface ResolvedCredentials {
  server: URL;
  options: https.RequestOptions;
  /** The same, for client-node (watches). */
  kubeConfig: KubeConfig;
}

/** Builds a KubeConfig for a cluster and a credential from an authentication strategy. */
export async function buildKubeConfig(
  details: ClusterDetails,
  strategy: AuthenticationStrategy,
): Promise<KubeConfig> {
  let credential: KubernetesCredential;
  try {
    credential = await strategy.getCredential(details, {});
  } catch (cause) {
    // A provider that cannot produce a credential is an auth problem of the
    // cluster's configuration, shown as such with the provider's reason.
    throw new ClusterRequestError(
      'unauthorized',
      `no credentials: ${(cause as Error)?.message ?? String(cause)}`,
      { cause },
    );
  }
  const user: Record<string, string> = { name: 'backstage' };
  if (credential.type === 'bearer token') user.token = credential.token;
  if (credential.type === 'x509 client certificate') {
    user.certData = Buffer.from(credential.cert).toString('base64');
    user.keyData = Buffer.from(credential.key).toString('base64');
  }
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: details.name,
        server: details.url.replace(/\/+$/, ''),
        skipTLSVerify: details.skipTLSVerify ?? false,
        caData: details.caData,
        caFile: details.caFile,
      },
    ],
    users: [user],
    contexts: [{ name: 'default', cluster: details.name, user: 'backstage' }],
    currentContext: 'default',
  });
  return kc;
}

/** Re-resolve this long before a token's expiry, so no request carries a dying token. */
const EXPIRY_MARGIN_MS = 60_000;

/** The `exp` of a bearer JWT in milliseconds, when the token is one. */
export function jwtExpiryMs(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(
      Buffer.from(parts[1], 'base64url').toString('utf8'),
    );
    return typeof payload?.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** A cluster's credentials for the write edges, cached until they expire. */
export class ClusterCredentials {
  readonly #load: () => Promise<KubeConfig>;
  readonly #refreshMs: number;
  readonly #now: () => number;
  #cached?: { value: Promise<ResolvedCredentials>; expiresAt: number };

  private constructor(
    load: () => Promise<KubeConfig>,
    options: { refreshMs: number; now?: () => number },
  ) {
    this.#load = load;
    this.#refreshMs = options.refreshMs;
    this.#now = options.now ?? Date.now;
  }

  /** Fixed credentials (a KubeConfig built by the caller); never re-resolved. */
  static fixed(kc: KubeConfig): ClusterCredentials {
    return new ClusterCredentials(async () => kc, { refreshMs: Infinity });
  }

  /** Credentials from the official authentication strategies, re-resolved as they expire. */
  static fromStrategy(
    details: ClusterDetails,
    strategy: AuthenticationStrategy,
    options: { refreshMs?: number; now?: () => number } = {},
  ): ClusterCredentials {
    return new ClusterCredentials(() => buildKubeConfig(details, strategy), {
      refreshMs: options.refreshMs ?? 5 * 60_000,
      now: options.now,
    });
  }

  /** The credentials for the next request. */
  resolve(): Promise<ResolvedCredentials> {
    const now = this.#now();
    if (this.#cached && now < this.#cached.expiresAt) return this.#cached.value;
    // Until the first resolution settles, concurrent requests share it.
    const entry = { expiresAt: Infinity } as {
      value: Promise<ResolvedCredentials>;
      expiresAt: number;
    };
    entry.value = this.#resolveNow(now).then(
      ({ resolved, expiresAt }) => {
        entry.expiresAt = expiresAt;
        return resolved;
      },
      err => {
        // A failed resolution is retried by the next request, not cached.
        if (this.#cached === entry) this.#cached = undefined;
        throw err;
      },
    );
    this.#cached = entry;
    return entry.value;
  }

  /** Forgets the cached credentials, e.g. after the cluster answered 401. */
  invalidate(): void {
    this.#cached = undefined;
  }

  async #resolveNow(
    now: number,
  ): Promise<{ resolved: ResolvedCredentials; expiresAt: number }> {
    const kc = await this.#load();
    const options: https.RequestOptions = {};
    // TLS material and the agent are built once per credential: a new agent
    // per request would throw away keep-alive connections.
    await kc.applyToHTTPSOptions(options);
    const token = kc.getCurrentUser()?.token;
    const exp = token ? jwtExpiryMs(token) : undefined;
    return {
      resolved: {
        server: new URL(kc.getCurrentCluster()!.server),
        options,
        kubeConfig: kc,
      },
      expiresAt:
        exp !== undefined
          ? Math.max(now, exp - EXPIRY_MARGIN_MS)
          : now + this.#refreshMs,
    };
  }
}
