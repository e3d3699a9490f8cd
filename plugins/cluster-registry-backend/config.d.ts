export interface Config {
  /** Configuration of the cluster registry plugin. */
  clusterRegistry?: {
    /**
     * Key that encrypts cluster secrets at rest (AES-256-GCM): 32 bytes,
     * base64-encoded (`openssl rand -base64 32`). Without it a development key
     * is generated into the data directory, with a warning.
     * @visibility secret
     */
    encryptionKey?: string;
    /** Kubernetes versions the portal supports; clusters outside are flagged. */
    supportedVersions?: {
      /** Oldest supported minor version. Default "1.28". */
      min?: string;
      /** Newest supported minor version. Default: no upper bound. */
      max?: string;
    };
    /** Timeout of one verification or health check, in milliseconds. Default 10000. */
    verificationTimeoutMs?: number;
    /** Health checks. */
    healthCheck?: {
      /** Seconds between two sweeps over every cluster. Default 60. */
      intervalSeconds?: number;
      /** Clusters checked at the same time. Default 16. */
      concurrency?: number;
    };
    /** Accept server URLs on link-local and cloud metadata addresses. Default false. */
    allowLinkLocalAddresses?: boolean;
    /**
     * Backend plugins allowed to read clusters' credentials (server-side, for
     * connecting to the clusters) from /internal/connections. Default
     * ["kubernetes"]: the Kubernetes plugin's cluster-registry module.
     */
    credentialConsumers?: string[];
  };
}
