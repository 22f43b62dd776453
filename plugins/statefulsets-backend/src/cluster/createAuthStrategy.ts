/*
 * The authentication strategies used to reach clusters: the official
 * Kubernetes plugin's own classes, keyed by the same `authProvider` names it
 * uses, behind its DispatchStrategy; client certificates; and whatever a
 * backend module adds through the auth-strategy extension point. A portal
 * that already configures clusters for the official plugin needs nothing new.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { Config, ConfigReader } from '@backstage/config';
import {
  AnonymousStrategy,
  AwsIamStrategy,
  AzureIdentityStrategy,
  DispatchStrategy,
  GoogleServiceAccountStrategy,
  ServiceAccountStrategy,
} from '@backstage/plugin-kubernetes-backend';
import {
  AuthenticationStrategy,
  AuthMetadata,
  ClusterDetails,
  KubernetesCredential,
} from '@backstage/plugin-kubernetes-node';
import { ANNOTATION_KUBERNETES_AUTH_PROVIDER } from '@backstage/plugin-kubernetes-common';
import { ClientCertificateStrategy } from './ClientCertificateStrategy';

/**
 * Service-account auth that answers from the configured token directly and
 * defers to the official strategy (the pod's mounted token) otherwise; the
 * official class loads client-node dynamically on every call even when a
 * token is configured.
 */
class ConfiguredTokenStrategy implements AuthenticationStrategy {
  readonly #fallback = new ServiceAccountStrategy();

  async getCredential(cluster: ClusterDetails): Promise<KubernetesCredential> {
    const token = cluster.authMetadata.serviceAccountToken;
    if (token) return { type: 'bearer token', token };
    return this.#fallback.getCredential(cluster);
  }

  validateCluster(): Error[] {
    return this.#fallback.validateCluster();
  }

  presentAuthMetadata(): AuthMetadata {
    return {};
  }
}

/**
 * The official providers that sign each request with the signed-in user's
 * own token, sent by the browser. This plugin watches clusters and runs
 * failovers from the backend, where no such token exists.
 */
export const BROWSER_AUTH_PROVIDERS = ['google', 'aks', 'oidc'] as const;

/**
 * Stands in for a browser-token provider: refuses with what to configure
 * instead, rather than the official class's "token not found in request body".
 */
class BrowserTokenStrategy implements AuthenticationStrategy {
  readonly #provider: string;

  constructor(provider: string) {
    this.#provider = provider;
  }

  async getCredential(cluster: ClusterDetails): Promise<KubernetesCredential> {
    throw new Error(browserTokenProblem(cluster.name, this.#provider));
  }

  validateCluster(): Error[] {
    return [];
  }

  presentAuthMetadata(): AuthMetadata {
    return {};
  }
}

/** Why a cluster whose entry uses a browser-token provider cannot be reached, and the fix. */
export function browserTokenProblem(cluster: string, provider: string): string {
  return (
    `cluster ${cluster} uses authProvider '${provider}', which authenticates ` +
    `with the signed-in user's token from the browser; the multi-cluster ` +
    `StatefulSets backend reaches clusters on its own, so give it backend ` +
    `credentials in multiclusterStatefulsets.clusters.${cluster}.auth ` +
    `(e.g. serviceAccount, aws, azure or googleServiceAccount)`
  );
}

/** What the strategies are built from. */
export interface AuthStrategyOptions {
  /** Root config: the AWS integration and Google service-account credentials read it. */
  config?: Config;
  logger?: LoggerService;
  /** Strategies added by modules, by `authProvider` name; they win over built-in ones. */
  added?: ReadonlyMap<string, AuthenticationStrategy>;
}

/** Every built-in strategy by its `authProvider` name, as the official plugin names them. */
export function builtInAuthStrategies(
  options: AuthStrategyOptions = {},
): Map<string, AuthenticationStrategy> {
  const config = options.config ?? new ConfigReader({});
  const strategies = new Map<string, AuthenticationStrategy>([
    ['serviceAccount', new ConfiguredTokenStrategy()],
    ['aws', new AwsIamStrategy({ config })],
    ['googleServiceAccount', new GoogleServiceAccountStrategy({ config })],
    ['localKubectlProxy', new AnonymousStrategy()],
    ['anonymous', new AnonymousStrategy()],
    ['clientCertificate', new ClientCertificateStrategy()],
  ]);
  // Azure's strategy reports token failures through a logger (the plugin
  // always passes one).
  if (options.logger) {
    strategies.set('azure', new AzureIdentityStrategy(options.logger));
  }
  for (const provider of BROWSER_AUTH_PROVIDERS) {
    strategies.set(provider, new BrowserTokenStrategy(provider));
  }
  return strategies;
}

/** The strategy that picks per cluster by its `authProvider`. */
export function createAuthStrategy(
  options: AuthStrategyOptions = {},
): AuthenticationStrategy {
  const strategies = builtInAuthStrategies(options);
  for (const [name, strategy] of options.added ?? []) {
    strategies.set(name, strategy);
  }
  return new DispatchStrategy({
    authStrategyMap: Object.fromEntries(strategies),
  });
}

/**
 * What is wrong with the configured clusters' auth, one line per problem
 * naming the cluster: an unknown provider, settings the provider refuses, or
 * a browser-token provider with no backend credentials beside it.
 */
export function clusterAuthProblems(
  clusters: ReadonlyArray<{ name: string; authMetadata: AuthMetadata }>,
  strategy: AuthenticationStrategy,
): string[] {
  const problems: string[] = [];
  for (const { name, authMetadata } of clusters) {
    const provider = authMetadata[ANNOTATION_KUBERNETES_AUTH_PROVIDER];
    if ((BROWSER_AUTH_PROVIDERS as readonly string[]).includes(provider)) {
      problems.push(browserTokenProblem(name, provider));
      continue;
    }
    for (const error of strategy.validateCluster(authMetadata)) {
      problems.push(`cluster ${name}: ${error.message}`);
    }
  }
  return problems;
}
