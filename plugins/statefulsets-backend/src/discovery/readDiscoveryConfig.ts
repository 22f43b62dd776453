/*
 * Discovery's settings, from `multiclusterStatefulsets.discovery`, and
 * whether the catalog provider that registers its candidates is on (read
 * from the catalog module's key, so the page can say why a database with an
 * owner is still missing from the catalog).
 */
import { Config } from '@backstage/config';
import { DEFAULT_DISCOVERY_OWNER_LABEL } from '@multicluster/backstage-plugin-statefulsets-common';

/** Discovery's settings with their defaults applied. */
export interface DiscoveryOptions {
  enabled: boolean;
  frequencySeconds: number;
  ownerLabel: string;
  defaultOwner?: string;
  lifecycle: string;
  /** `catalog.providers.multiclusterStatefulsets.discovery.enabled`. */
  providerEnabled: boolean;
}

/** Seconds between discovery runs unless configured. */
export const DEFAULT_DISCOVERY_FREQUENCY_SECONDS = 60;

/** Reads discovery's settings; an unset block means discovery is off. */
export function readDiscoveryConfig(config: Config): DiscoveryOptions {
  const c = config.getOptionalConfig('multiclusterStatefulsets.discovery');
  const frequencySeconds =
    c?.getOptionalNumber('frequencySeconds') ??
    DEFAULT_DISCOVERY_FREQUENCY_SECONDS;
  if (!(frequencySeconds >= 5)) {
    throw new Error(
      `multiclusterStatefulsets.discovery.frequencySeconds must be at least 5, got ${frequencySeconds}`,
    );
  }
  const defaultOwner = c?.getOptionalString('defaultOwner')?.trim();
  return {
    enabled: c?.getOptionalBoolean('enabled') ?? false,
    frequencySeconds,
    ownerLabel:
      c?.getOptionalString('ownerLabel')?.trim() ||
      DEFAULT_DISCOVERY_OWNER_LABEL,
    ...(defaultOwner ? { defaultOwner } : {}),
    lifecycle: c?.getOptionalString('lifecycle')?.trim() || 'production',
    providerEnabled:
      config.getOptionalBoolean(
        'catalog.providers.multiclusterStatefulsets.discovery.enabled',
      ) ?? false,
  };
}
