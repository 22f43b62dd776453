/*
 * Plays the two federation control planes the product can scaffold for:
 * Karmada (PropagationPolicy + OverridePolicy over resource templates that
 * live in the host cluster) and KubeFed (FederatedStatefulSet). Each runs
 * only in the cluster the world marks as its host, copies the placed
 * objects into the member clusters with per-cluster overrides, removes them
 * where they are no longer placed, and writes the members' state back to
 * the host. Member objects are only touched when they carry the control
 * plane's marker, as the real controllers refuse to adopt foreign objects.
 *
 * The parts live in ./federation/; this module is what the rest of the
 * simulator imports.
 */
export { matchesLabelSelector } from './federation/clusterSelection';
export {
  type FederationHost,
  isFederationHost,
} from './federation/federationHost';
export { applyJsonPatchOp } from './federation/jsonPointer';
export { isKarmadaTemplateOnly, karmadaController } from './federation/karmada';
export { kubefedController } from './federation/kubefed';
export { applyOverriders } from './federation/overriders';
