export interface Config {
  clusterRegistry?: {
    /** How the Kubernetes plugin's supplier keeps the registry's clusters. */
    kubernetesSupplier?: {
      /**
       * Seconds between full reads of the registry's clusters, the check
       * that bounds how stale the kept list can be if a change event was
       * lost. Default 30.
       */
      consistencyCheckSeconds?: number;
      /**
       * Milliseconds a Kubernetes request waits for announced changes still
       * being read before it answers with the list as it is. Default 2000.
       */
      maxWaitMs?: number;
      /**
       * Milliseconds one read of the registry may take before it counts as
       * failed and is tried again. Default 30000.
       */
      readTimeoutMs?: number;
    };
  };
}
