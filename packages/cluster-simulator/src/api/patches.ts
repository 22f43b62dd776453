/*
 * The patch formats of the Kubernetes API: JSON merge patch (RFC 7386), JSON
 * patch (RFC 6902), strategic merge patch (keyed lists, `$patch` directives)
 * and the field sets recorded in `managedFields`. Pure functions on plain
 * JSON; each format lives in its own module, gathered here for callers that
 * want them all.
 */
export { PatchError } from './patchError';
export { applyMergePatch } from './mergePatch';
export { applyJsonPatch } from './jsonPatch';
export { applyStrategicMergePatch, mergeKeyFor } from './strategicMergePatch';
export { applyConfiguration } from './applyConfiguration';
export { fieldsV1Of, removeUnappliedFields } from './fieldOwnership';
