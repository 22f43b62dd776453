/** Configuration of the multi-cluster StatefulSets backend plugin. */
export interface Config {
  /** Settings of the multi-cluster StatefulSets plugins. */
  multiclusterStatefulsets?: {
    /** Per-request deadline for cluster reads, in milliseconds (default 5000). */
    requestTimeoutMs?: number;
  };
}
