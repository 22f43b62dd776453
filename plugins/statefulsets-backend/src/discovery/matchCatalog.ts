/*
 * Which candidates the catalog already has under another location: an
 * entity (not registered by discovery) with the suggested name, or pointing
 * at the same objects through the same `backstage.io/kubernetes-id` or
 * label selector. Those are not offered again, so a database registered by
 * hand or by the template is never doubled.
 */
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_KUBERNETES_LABEL_SELECTOR,
  isDiscoveredEntity,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { DiscoveredDatabase } from './groupDatabases';

/** A selector with its terms trimmed and sorted, so `b=2,a=1` equals `a=1, b=2`. */
export function normalizeSelector(selector: string): string {
  return selector
    .split(',')
    .map(term => term.replace(/\s+/g, ''))
    .filter(Boolean)
    .sort()
    .join(',');
}

function key(text: string): string {
  return text.trim().toLocaleLowerCase('en-US');
}

/** The candidates with `catalogMatch` set where the catalog already has them. */
export function matchCatalog(
  candidates: DiscoveredDatabase[],
  entities: Entity[],
): DiscoveredDatabase[] {
  const byRef = new Map<string, string>();
  const byId = new Map<string, string>();
  const bySelector = new Map<string, string>();
  for (const entity of entities) {
    if (isDiscoveredEntity(entity)) continue;
    const ref = stringifyEntityRef(entity);
    byRef.set(key(ref), ref);
    const annotations = entity.metadata.annotations ?? {};
    const id = annotations[ANNOTATION_KUBERNETES_ID];
    if (id) byId.set(key(id), ref);
    const selector = annotations[ANNOTATION_KUBERNETES_LABEL_SELECTOR];
    if (selector) bySelector.set(normalizeSelector(selector), ref);
  }
  return candidates.map(candidate => {
    const id = candidate.annotations[ANNOTATION_KUBERNETES_ID];
    const selector =
      candidate.annotations[ANNOTATION_KUBERNETES_LABEL_SELECTOR];
    const match =
      byRef.get(key(candidate.entityRef)) ??
      (id ? byId.get(key(id)) : undefined) ??
      (selector ? bySelector.get(normalizeSelector(selector)) : undefined);
    return match ? { ...candidate, catalogMatch: match } : candidate;
  });
}
