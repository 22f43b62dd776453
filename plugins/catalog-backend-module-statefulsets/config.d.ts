/*
 * Configuration of the catalog module for generated multi-cluster databases.
 */
export interface Config {
  catalog?: {
    providers?: {
      multiclusterStatefulsets?: {
        /** How often, in seconds, the generated entities are read (default 5). */
        frequencySeconds?: number;
        /**
         * The provider of databases the backend plugin discovered in the
         * clusters (`multiclusterStatefulsets.discovery`), off unless enabled.
         */
        discovery?: {
          /** Whether discovered databases with an owner are registered (default false). */
          enabled?: boolean;
          /** How often, in seconds, the candidates are read (default 60). */
          frequencySeconds?: number;
        };
      };
    };
  };
}
