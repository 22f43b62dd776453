import { HumanDuration } from '@backstage/types';

/** Configuration of the multi-cluster StatefulSets backend plugin. */
export interface Config {
  /**
   * Settings of the multi-cluster StatefulSets plugins. Clusters themselves
   * are read from `kubernetes.clusterLocatorMethods` (type `config`).
   */
  multiclusterStatefulsets?: {
    /** Deadline of one topology request and timeout of every list call, in milliseconds (default 5000). */
    requestTimeoutMs?: number;
    /** Informers unused for this long are stopped, in milliseconds (default 900000). */
    idleTimeoutMs?: number;
    /** A watch silent (not even a bookmark) for this long is restarted, in milliseconds (default 300000). */
    watchIdleMs?: number;
    /**
     * Most informers (one open watch each) per cluster, in all namespaces
     * together (default 400). Entities of the same namespace share them, so
     * only namespaces in use count; a read that would pass the bound is
     * answered with an error naming it.
     */
    maxWatchesPerCluster?: number;
    /** First retry delay of a failing informer, in milliseconds (default 500). */
    backoffInitialMs?: number;
    /** Longest retry delay of a failing informer, in milliseconds (default 60000). */
    backoffMaxMs?: number;
    /** How long a computed topology stays in the cache service, in milliseconds (default 10000). */
    cacheTtlMs?: number;
    /** Who may write (failover, apply, deploy) besides signed-in users. */
    writers?: {
      /**
       * Service principals (`subject` of the credentials, e.g. `external:ci-bot`
       * for an `externalAccess` static token) allowed to fail over, apply and
       * deploy with no user behind them. Empty by default: writes need a user.
       */
      allowedServices?: string[];
    };
    /** How cluster writes (failover, apply) authenticate. */
    writes?: {
      /**
       * Send `Impersonate-User` and `Impersonate-Group` with every cluster
       * write, naming the Backstage user it acts for, so the cluster's own
       * RBAC decides it. The write credentials then need only the
       * `impersonate` verb on `users` and `groups`.
       */
      impersonation?: {
        /** Off by default. */
        enabled?: boolean;
        /** The Kubernetes user from the user entity ref: `{{kind}}`, `{{namespace}}`, `{{name}}` (default `{{name}}`). */
        userTemplate?: string;
        /** A Kubernetes group from each group the user belongs to, same placeholders (default `{{name}}`). */
        groupTemplate?: string;
        /** Groups added to every impersonated identity. */
        extraGroups?: string[];
      };
    };
    /** Failover engine settings. */
    failover?: {
      /** Timeout of one write to a cluster, in milliseconds (default: requestTimeoutMs). */
      writeTimeoutMs?: number;
      /** Longest wait for the target to catch up during a switchover, in milliseconds (default 60000). */
      catchUpTimeoutMs?: number;
      /**
       * How long a run's lease lasts without a heartbeat, in milliseconds
       * (default 10000): the longest a run stays stopped when its backend
       * dies, before another replica rolls it back or finishes it. Keep it
       * below the entities' fence budgets.
       */
      leaseMs?: number;
      /** How often a wait checks the health of the clusters it depends on, in milliseconds (default 500). */
      healthIntervalMs?: number;
      /** How long a health probe may take before its cluster counts as not answering, in milliseconds (default 3000). */
      healthProbeTimeoutMs?: number;
    };
    /**
     * Notifications to an entity's owners (through
     * `@backstage/plugin-notifications-backend`, which must be installed in
     * the backend): a failover run that ended, a DR readiness drop from
     * ready, a cluster the database runs in that stays unreachable.
     */
    notifications?: {
      /** Send them (default true). */
      enabled?: boolean;
      /**
       * How long a cluster must stay unreachable before the owners of the
       * databases running in it are told, e.g. '5m' or { minutes: 5 } (default 5 minutes).
       */
      clusterUnreachableAfter?: HumanDuration | string;
      /**
       * How long readiness must stay below ready before the owners are told,
       * so a short blip tells nothing, e.g. '60s' (default 60 seconds).
       */
      readinessDebounce?: HumanDuration | string;
    };
    /**
     * Replication lag from Prometheus instead of the StatefulSets' lag
     * annotations: one PromQL query per engine, with `{{namespace}}`,
     * `{{statefulset}}`, `{{cluster}}` and `{{source}}` placeholders. Absent:
     * lag comes from the replication providers alone.
     */
    prometheus?: {
      /** Base URL of the Prometheus HTTP API (or Thanos Query, Mimir…) seeing every cluster's series, e.g. http://prometheus.monitoring:9090. */
      url: string;
      /**
       * PromQL per engine (mysql, postgresql, mongodb, kafka, elasticsearch,
       * generic, or an engine of your own), in seconds, over the built-in
       * defaults; an empty string turns an engine's default off.
       */
      queries?: { [engine: string]: string };
      /** Timeout of one query, in milliseconds (default 2000). */
      timeoutMs?: number;
      /** A sample older than this is an unknown lag, in seconds (default 30). */
      maxAgeSeconds?: number;
      /**
       * How often the topologies open in the portal are computed again for
       * the lag and engine roles read here, which change without any
       * object in the clusters changing, in seconds (default 10).
       */
      refreshSeconds?: number;
      /**
       * Sent as `Authorization: Bearer <token>`.
       * @visibility secret
       */
      bearerToken?: string;
      /**
       * Extra request headers, e.g. `X-Scope-OrgID` for a multi-tenant Mimir.
       * @deepVisibility secret
       */
      headers?: { [name: string]: string };
    };
    /**
     * The lag history each backend replica keeps in memory, which the lag
     * charts show where Prometheus has no history of a link (or fails): one
     * sample per link every 10 s, a day per link (about 104 kB).
     */
    lagHistory?: {
      /** Most links kept across all entities (default 200, about 21 MB); the entity viewed least recently gives way. */
      maxLinks?: number;
    };
    /**
     * Discovery of databases the portal did not create: StatefulSets and
     * operators' resources found in two or more clusters, served at
     * `GET /discovery/databases` for the catalog provider and the
     * "Not in the catalog yet" page.
     */
    discovery?: {
      /** Whether the clusters are read for discovery (default false). */
      enabled?: boolean;
      /** Seconds between two discovery runs (default 60). */
      frequencySeconds?: number;
      /** Label (or annotation) on the resources naming the owner (default `backstage.io/owner`). */
      ownerLabel?: string;
      /** Owner of discovered databases whose resources name none; without it they get no entity. */
      defaultOwner?: string;
      /** `spec.lifecycle` of the suggested entities (default `production`). */
      lifecycle?: string;
    };
    /** Placement facts per cluster name (the official cluster entry has no place for them). */
    clusters?: {
      [clusterName: string]: {
        /** Region, e.g. eu-central-1; defaults to the nodes' topology.kubernetes.io/region label. */
        region?: string;
        /** Zones; default to the nodes' topology.kubernetes.io/zone labels. */
        zones?: string[];
        /**
         * `karmada`: this entry is the Karmada API server (karmada-apiserver),
         * where Karmada's policies and resource templates are applied; it is
         * no member and runs no database. `kubefed`: the KubeFed host cluster
         * (it may be a member too).
         */
        federationHost?: 'karmada' | 'kubefed';
        /**
         * Credentials for this plugin's writes, so the `kubernetes:` entry
         * (which the Kubernetes plugin and its proxy use too) can hold a
         * read-only token. Absent: writes use the `kubernetes:` entry's.
         */
        write?: {
          /** As in a `kubernetes:` cluster entry (default serviceAccount). */
          authProvider?: string;
          /**
           * The write token.
           * @visibility secret
           */
          serviceAccountToken?: string;
          /** For `aws`: the role to assume, as in a `kubernetes:` cluster entry. */
          assumeRole?: string;
          /** For `aws`: the external id of the assumed role. */
          externalId?: string;
          /**
           * Further auth settings of the provider, as in a `kubernetes:` cluster entry.
           * @deepVisibility secret
           */
          authMetadata?: { [key: string]: string };
        };
        /**
         * Backend credentials for this plugin's reads (and writes, unless
         * `write` is given), in place of the `kubernetes:` entry's: for a
         * cluster the official plugin reaches with the signed-in user's
         * browser token (`google`, `aks`, `oidc`), which a backend that
         * watches clusters on its own does not have.
         */
        auth?: {
          /** As in a `kubernetes:` cluster entry (default serviceAccount). */
          authProvider?: string;
          /**
           * The token.
           * @visibility secret
           */
          serviceAccountToken?: string;
          /** For `aws`: the role to assume. */
          assumeRole?: string;
          /** For `aws`: the external id of the assumed role. */
          externalId?: string;
          /**
           * Further auth settings of the provider.
           * @deepVisibility secret
           */
          authMetadata?: { [key: string]: string };
        };
      };
    };
  };
}
