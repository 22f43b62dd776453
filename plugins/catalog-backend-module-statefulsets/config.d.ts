/*
 * Configuration of the catalog module for generated multi-cluster databases.
 */
export interface Config {
  catalog?: {
    providers?: {
      multiclusterStatefulsets?: {
        /** How often, in seconds, the generated entities are read (default 5). */
        frequencySeconds?: number;
      };
    };
  };
}
