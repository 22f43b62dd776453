/*
 * Which discovered databases are not in the catalog yet and why, and the
 * YAML of the entity a user could register by hand. Pure, for the page.
 */
import { Entity } from '@backstage/catalog-model';
import {
  DiscoveredDatabase,
  DiscoveredDatabases,
} from '../../api/MultiClusterStatefulSetsApi';

/** A discovered database missing from the catalog, with why. */
export interface NotInCatalogRow {
  item: DiscoveredDatabase;
  why: string;
}

/** The owner placeholder of a suggested entity without an owner. */
export const OWNER_PLACEHOLDER = '<owner entity ref>';

/**
 * The candidates whose suggested entity is not in the catalog (by ref) and
 * that match no entity registered elsewhere, with the reason each is not
 * registered: no entity suggested, the catalog provider off, or the entity
 * the provider should have registered missing.
 */
export function notInCatalogYet(
  answer: DiscoveredDatabases,
  inCatalog: (entityRef: string) => boolean,
): NotInCatalogRow[] {
  return answer.items
    .filter(item => !item.catalogMatch && !inCatalog(item.entityRef))
    .map(item => {
      let why: string;
      if (item.reason) why = item.reason;
      else if (!answer.providerEnabled) {
        why =
          'discovery provider off: set catalog.providers.multiclusterStatefulsets.discovery.enabled to register it';
      } else {
        why = `registered entity missing: the discovery provider offers ${item.entityRef}, but the catalog does not hold it yet (it may still be processing, or refused it: see the catalog's errors for this location)`;
      }
      return { item, why };
    });
}

const PLAIN = /^[A-Za-z0-9][A-Za-z0-9_./:@=, -]*$/;

function scalar(value: unknown): string {
  if (typeof value !== 'string') return JSON.stringify(value);
  const plain =
    PLAIN.test(value) &&
    !/: |:$| #/.test(value) &&
    !/^(true|false|null|yes|no|on|off|~|[-+]?[\d.]+(e[-+]?\d+)?)$/i.test(value);
  return plain ? value : JSON.stringify(value);
}

function lines(value: unknown, indent: string): string[] {
  if (Array.isArray(value)) {
    return value.flatMap(v =>
      v !== null && typeof v === 'object'
        ? lines(v, `${indent}  `).map((l, i) =>
            i === 0 ? `${indent}- ${l.trimStart()}` : l,
          )
        : [`${indent}- ${scalar(v)}`],
    );
  }
  return Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .flatMap(([k, v]) => {
      if (v !== null && typeof v === 'object') {
        const empty = Array.isArray(v)
          ? v.length === 0
          : Object.keys(v).length === 0;
        if (empty)
          return [`${indent}${scalar(k)}: ${Array.isArray(v) ? '[]' : '{}'}`];
        return [`${indent}${scalar(k)}:`, ...lines(v, `${indent}  `)];
      }
      return [`${indent}${scalar(k)}: ${scalar(v)}`];
    });
}

/** A small YAML rendering of plain JSON data (objects, arrays, strings, numbers). */
export function toYaml(value: Record<string, unknown>): string {
  return `${lines(value, '').join('\n')}\n`;
}

/** The entity a user could register by hand, as YAML; the owner left to fill in when unknown. */
export function suggestedEntityYaml(item: DiscoveredDatabase): string {
  const entity: Entity = (item.entity as Entity | undefined) ?? {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: item.name,
      namespace: 'default',
      annotations: item.annotations,
    },
    spec: {
      type: 'database',
      lifecycle: 'production',
      owner: OWNER_PLACEHOLDER,
    },
  };
  return toYaml(entity as unknown as Record<string, unknown>);
}
