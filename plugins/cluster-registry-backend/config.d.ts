import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  /** Configuration of the cluster registry plugin. */
  clusterRegistry?: {
    /**
     * Key that encrypts cluster secrets at rest (AES-256-GCM): 32 bytes,
     * base64-encoded (`openssl rand -base64 32`). Required outside
     * development: the backend refuses to start without it. In development
     * (NODE_ENV development or test) a key is generated into the data
     * directory, with a warning.
     * @visibility secret
     */
    encryptionKey?: string;
    /**
     * Keys secrets were encrypted with before the current one; they only
     * decrypt. After `reencrypt-secrets` has run they can be removed.
     * @visibility secret
     */
    previousEncryptionKeys?: string[];
    /** Kubernetes versions the portal supports; clusters outside are flagged. */
    supportedVersions?: {
      /** Oldest supported minor version. Default "1.28". */
      min?: string;
      /** Newest supported minor version. Default: no upper bound. */
      max?: string;
    };
    /**
     * Deadline of one verification, health check or Prometheus test, all its
     * requests together, in milliseconds. Default 8000 (so that a request
     * that verifies answers within 10 s even when the cluster never does).
     */
    verificationTimeoutMs?: number;
    /**
     * Creating and deleting clusters at providers (a provider module such as
     * the EKS one adds its own settings under `providers`).
     */
    provisioning?: {
      /** How often the provisioning task looks for steps that are due. Default 10. */
      intervalSeconds?: number;
      /**
       * How long a backend holds a request while it runs a step; another
       * backend takes over a request whose backend died once it ran out.
       * Default 60.
       */
      leaseSeconds?: number;
    };
    /**
     * Tunnels to clusters behind an HTTP CONNECT proxy or an SSH bastion
     * (shared by the registry and the Kubernetes module of one process).
     */
    tunnels?: {
      /** Bounds opening a tunnel: proxy CONNECT, SSH handshake, channel. Default 10000. */
      connectTimeoutMs?: number;
      /** An SSH connection with no open channel is closed after this long. Default 300000. */
      sshIdleTimeoutMs?: number;
      /** SSH keep-alive interval (three unanswered close the connection). Default 15000. */
      sshKeepaliveIntervalMs?: number;
      /** A loopback bridge connection idle this long is closed. Default 600000. */
      bridgeIdleTimeoutMs?: number;
    };
    /** Expiry of the clusters' tokens and client certificates. */
    credentialExpiry?: {
      /**
       * Days before expiry from which the list and the cluster page warn and
       * the owner is notified (Backstage notifications). Default 14.
       * @visibility frontend
       */
      warningDays?: number;
      /**
       * Entity refs notified for clusters without an owner (users or groups).
       * Default none.
       */
      notify?: string[];
    };
    /** Health checks. */
    healthCheck?: {
      /**
       * When the sweep over every cluster runs, as a Backstage schedule
       * (frequency, timeout, initialDelay). Takes precedence over
       * intervalSeconds. Runs on one replica at a time.
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /** Seconds between two sweeps (shorthand for schedule). Default 60. */
      intervalSeconds?: number;
      /** Clusters checked at the same time. Default 16. */
      concurrency?: number;
    };
    /**
     * The one policy for every address the registry contacts (cluster server
     * URLs, Prometheus URLs, proxy URLs, SSH hosts), checked when an address
     * is given and again on the address actually dialled (after DNS).
     * Link-local, cloud metadata, unspecified, multicast and reserved
     * destinations are always refused, in every notation (decimal, octal,
     * hex IPv4; IPv4-mapped, NAT64, 6to4 and Teredo IPv6; trailing dots;
     * well-known metadata names).
     */
    addressPolicy?: {
      /** Allow loopback (127.0.0.0/8, ::1, localhost). Default true. */
      allowLoopback?: boolean;
      /** Allow private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7). Default true. */
      allowPrivate?: boolean;
      /**
       * CIDRs, IP addresses or host names allowed even where the rules above
       * refuse them (e.g. a cluster that really lives on 169.254.10.0/24).
       */
      dangerouslyAllow?: string[];
      /** Further CIDRs, IP addresses or host names to refuse. */
      deny?: string[];
    };
    /**
     * Where a cluster's version sits in the support window (the cluster
     * page's version card).
     */
    versionSupport?: {
      /**
       * The newest upstream Kubernetes minor, e.g. "1.36". Default: the one
       * this plugin release was made with; set it when upstream releases.
       */
      newestMinor?: string;
      /** Minors upstream patches (the newest and the ones before it). Default 3. */
      windowMinors?: number;
      /** EKS support dates of minors missing from the maintained table, or corrections. */
      eks?: Array<{
        /** e.g. "1.36" */
        minor: string;
        /** YYYY-MM-DD */
        endOfStandardSupport: string;
        /** YYYY-MM-DD */
        endOfExtendedSupport: string;
      }>;
    };
    /** Metrics from clusters' Prometheus endpoints: named queries only, unless raw queries are enabled. */
    metrics?: {
      /** Job names of the exporters. Defaults: kube-prometheus' names. */
      jobs?: {
        /** Default "node-exporter". */
        nodeExporter?: string;
        /** Default "kube-state-metrics". */
        kubeStateMetrics?: string;
        /** Default "apiserver". */
        apiserver?: string;
        /** The kubelet job whose metrics_path is /metrics/cadvisor. Default "kubelet". */
        cadvisor?: string;
      };
      /** The label naming a node in node-exporter series. Default "instance" (kube-prometheus relabels it to the node name). */
      nodeLabel?: string;
      /** The scrape interval: the finest step and a quarter of the rate window. Default 30. */
      scrapeIntervalSeconds?: number;
      /** The longest range a query may ask for. Default 168 (7 days). */
      maxRangeHours?: number;
      /** Points per series at most. Default 250. */
      maxPoints?: number;
      /** Series per query at most. Default 50. */
      maxSeries?: number;
      /** How long a result is reused (per replica). Default 30. */
      cacheTtlSeconds?: number;
      /** Prometheus' own deadline for one query. Default 10. */
      queryTimeoutSeconds?: number;
      /**
       * Allow raw PromQL (POST /clusters/{name}/metrics/raw) for holders of
       * cluster-registry.cluster.metrics.raw; every call is audited. Default false.
       */
      allowRawQueries?: boolean;
      /**
       * Named queries added by admins. The expression may use {{nodeExporter}},
       * {{kubeStateMetrics}}, {{apiserver}}, {{cadvisor}} (each that exporter's
       * matchers in this cluster), {{cluster}} (the cluster's label matcher) and
       * {{window}} (the rate window).
       */
      queries?: Array<{
        /** Starts with "custom.", e.g. custom.ingressRate. */
        id: string;
        title: string;
        /** ratio, cores, bytes, count, perSecond or seconds. */
        unit: string;
        /** The exporter it needs (nodeExporter, kubeStateMetrics, apiserver, cadvisor, application). */
        requires?: string;
        description?: string;
        expr: string;
      }>;
    };
    /**
     * Backend plugins allowed to read clusters' credentials (server-side, for
     * connecting to the clusters) from /internal/connections. Default
     * ["kubernetes"]: the Kubernetes plugin's cluster-registry module.
     */
    credentialConsumers?: string[];
    /**
     * ServiceAccounts the registry creates when a registration gives an
     * admin's credential with `serviceAccount` (only the account's token is
     * stored; the admin credential is used once).
     */
    serviceAccounts?: {
      /** Namespace of the accounts (created if missing). Default backstage-cluster-registry. */
      namespace?: string;
      /** ClusterRole bound when the registration names none. Default view. */
      clusterRole?: string;
      /** Lifetime of each token (TokenRequest; at least 600). Default 7 days. */
      tokenLifetimeSeconds?: number;
      /** The health sweep renews a token with less than this left. Default: half its lifetime. */
      renewBeforeSeconds?: number;
    };
  };
}
