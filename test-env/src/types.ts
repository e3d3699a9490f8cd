/** One real kube-apiserver (with embedded etcd) on loopback. */
export interface KubeApiServerEnv {
  name: string;
  serverUrl: string;
  /** PEM of the CA that signed the serving certificate. */
  caData: string;
  /** PEM client certificate and key of a `system:masters` user. */
  adminCertData: string;
  adminKeyData: string;
  /** Static bearer tokens: cluster-admin, RBAC `view`, and a user with no rights. */
  adminToken: string;
  readOnlyToken: string;
  noRightsToken: string;
  /** An admin kubeconfig (client certificate) written by the server wrapper. */
  kubeconfigPath: string;
  /** PEM of a CA that did NOT sign the server certificate (for wrong-CA tests). */
  otherCaData: string;
  kubernetesVersion: string;
  pid: number;
}

export interface PostgresEnv {
  host: string;
  port: number;
  user: string;
  password: string;
  /** postgresql://user:password@127.0.0.1:port */
  connectionString: string;
  pid: number;
}

export interface PrometheusEnv {
  /** Anonymous, plain HTTP. */
  anonymousUrl: string;
  /** Basic auth over TLS (Prometheus --web.config.file). */
  secureUrl: string;
  username: string;
  password: string;
  /** PEM of the CA that signed the secure instance's certificate. */
  caData: string;
  pids: number[];
}

export interface MotoEnv {
  /** Endpoint for every AWS service moto serves (EKS, EC2, IAM, STS). */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /**
   * Part of the test environment, not of moto: `GET <this>/secret?accessKeyId=`
   * gives the secret (and session token) of a key moto issued. The EKS
   * stand-in's STS front uses it to check signatures, which moto never does.
   */
  credentialsEndpoint: string;
  /** Whether IAM knows the AWS-managed policies (MOTO_IAM_LOAD_MANAGED_POLICIES). */
  iamManagedPolicies: boolean;
  pid: number;
}

/**
 * An EKS stand-in: moto's EKS API behind a harness that makes one cluster
 * name's endpoint and CA those of a real kube-apiserver, which authenticates
 * `k8s-aws-v1.` tokens with the real aws-iam-authenticator (v0.7.2) against
 * moto's STS. See the README's "EKS stand-in" section for what is bent.
 */
export interface EksEnv {
  /**
   * The cluster name the stand-in control plane belongs to: aws-iam-authenticator's
   * cluster ID (tokens must sign `x-k8s-aws-id: <clusterName>`), and the name
   * whose CreateCluster/DescribeCluster answers the harness rewrites.
   */
  clusterName: string;
  /**
   * The harness, http://127.0.0.1:port: use it as AWS_ENDPOINT_URL_EKS. It
   * forwards every request to moto (so it also serves IAM, EC2, STS).
   */
  awsEndpoint: string;
  region: string;
  /** The account moto puts every resource in. */
  accountId: string;
  /**
   * The control plane behind the harness (its serverUrl and caData are what
   * DescribeCluster reports once ACTIVE). It has every static token and
   * admin certificate of KubeApiServerEnv besides the AWS IAM webhook.
   */
  kubeApiServer: KubeApiServerEnv;
  /**
   * The IAM user (created in moto at start) the portal should create the
   * cluster with: aws-iam-authenticator maps it to `system:masters`, as EKS
   * makes a cluster's creator admin. moto's default caller for unknown keys
   * (`arn:aws:sts::<acct>:user/moto`) is not an ARN aws-iam-authenticator
   * accepts, so the portal must sign with these keys, not with `testing`.
   */
  creator: {
    arn: string;
    userName: string;
    /** The Kubernetes user name it is mapped to. */
    username: string;
    groups: string[];
    accessKeyId: string;
    secretAccessKey: string;
  };
  /** How many DescribeCluster calls per cluster answer CREATING before ACTIVE. */
  creatingDescribes: number;
  /**
   * JSON lines, one per request the harness forwarded: `{ time, method,
   * path, service, status, body? }` (`body`: the parsed JSON of EKS requests,
   * so tests can see what moto drops, e.g. accessConfig).
   */
  harnessLogFile: string;
  /** JSON lines, one per STS request aws-iam-authenticator made (and the verdict). */
  stsLogFile: string;
  /** aws-iam-authenticator's log (logrus text; one "access granted" line per accepted token). */
  authenticatorLogFile: string;
  /** The network namespace aws-iam-authenticator runs in. */
  namespace: string;
  pids: number[];
}

export interface SshEnv {
  host: string;
  port: number;
  username: string;
  password: string;
  /** OpenSSH-format private key accepted for the user. */
  privateKey: string;
  /** The server's host public key line (for known_hosts checks). */
  hostKey: string;
  /** sshd's log (LogLevel DEBUG1: one `server_request_direct_tcpip` line per forward). */
  logFile: string;
  pid: number;
}

export interface ProxyEnv {
  /** http://127.0.0.1:port, an HTTP CONNECT proxy. */
  url: string;
  /** The proxy's log: tests read it to prove traffic went through the proxy. */
  logFile: string;
  pid: number;
}

/**
 * A private cluster behind a bastion: a network namespace the test
 * environment creates, with an API server on the namespace's loopback (not
 * reachable from the host) and an SSH server and HTTP CONNECT proxies on an
 * address the host reaches.
 */
export interface BastionEnv {
  /** The network namespace (`ip netns`). */
  namespace: string;
  /** The bastion's address inside the namespace, as the host reaches it. */
  address: string;
  /** The API server's host name; only the namespace resolves it. */
  apiHost: string;
  /**
   * Its serverUrl is https://<apiHost>:6443; its certificate names only
   * apiHost. Its kubeconfig works only from inside the namespace.
   */
  kubeApiServer: KubeApiServerEnv;
  ssh: SshEnv;
  /** Anonymous CONNECT proxy. */
  proxy: ProxyEnv;
  /** CONNECT proxy that requires Basic credentials (407 without). */
  authProxy: ProxyEnv & { username: string; password: string };
  /** An anonymous Prometheus only the namespace reaches (name resolved there only). */
  prometheusUrl: string;
}

/**
 * The Deployment seeded on a test cluster, with Pods named as the ReplicaSet
 * controller names them (`<deployment>-<pod-template-hash>-<5 chars>`).
 */
export interface MonitoringWorkload {
  namespace: string;
  deployment: string;
  /** Its `backstage.io/kubernetes-id` label (what an entity's annotation names). */
  kubernetesId: string;
  /** The ReplicaSet `<deployment>-<pod-template-hash>` that owns the pods. */
  replicaSet: string;
  /** Every pod of the deployment. */
  pods: string[];
  /** The pod in phase Running (its container has restarted: restartCount > 0). */
  runningPod: string;
  /** The pod in phase Pending, if the workload has one. */
  pendingPod?: string;
  /**
   * Application (RED) metrics scraped under `namespace`/`pod` = runningPod,
   * when the cluster has an "application": Prometheus' own HTTP server.
   */
  application?: {
    job: string;
    /** Request counter and the label that carries the HTTP status. */
    requestsMetric: string;
    statusLabel: string;
    /** Histogram (without the `_bucket` suffix) of request durations in seconds. */
    durationHistogram: string;
  };
}

/** One test cluster as the monitoring stack sees it. */
export interface MonitoringCluster {
  /** The KubeApiServerEnv.name of the cluster's API server. */
  name: string;
  /** The value of the `cluster` label on every series scraped for this cluster. */
  clusterLabelValue: string;
  /** The Node objects, in creation order. */
  nodes: string[];
  /** How many of them have condition Ready=True. */
  readyNodes: number;
  /** Distinct roles of the nodes (their `node-role.kubernetes.io/<role>` labels). */
  nodeRoles: string[];
  /** The one node a node-exporter stands for: the only node with usage series. */
  nodeExporterNode: string;
  workload?: MonitoringWorkload;
  /** Reasons of the core/v1 Events of type Warning created on this cluster. */
  warningEventReasons: string[];
  /** Reasons of the Events of type Normal. */
  normalEventReasons: string[];
}

/**
 * One Prometheus scraping every monitored test cluster: the API servers'
 * `/metrics`, a kube-state-metrics per cluster, one node-exporter (the test
 * machine) and an "application". Series carry `cluster` = the cluster's name.
 * Job names are the ones kube-prometheus uses. There is no kubelet, so no
 * cAdvisor (`container_*`), `kubelet_*` or metrics-server.
 */
export interface MonitoringEnv {
  /** Anonymous, plain HTTP. */
  prometheusUrl: string;
  /** The label that tells the clusters apart. */
  clusterLabel: 'cluster';
  scrapeIntervalSeconds: number;
  /** Values of the `job` label. */
  jobs: {
    apiServer: 'apiserver';
    kubeStateMetrics: 'kube-state-metrics';
    nodeExporter: 'node-exporter';
  };
  /** In the order of TestEnv.kubeApiServers (at most the first two are monitored). */
  clusters: MonitoringCluster[];
  nodeExporterUrl: string;
  /** One per cluster, same order as `clusters`. */
  kubeStateMetricsUrls: string[];
  pids: number[];
}

/** What `startTestEnv` returns and `cluster-registry-test-env up` writes as JSON. */
export interface TestEnv {
  stateDir: string;
  kubeApiServers: KubeApiServerEnv[];
  postgres?: PostgresEnv;
  prometheus?: PrometheusEnv;
  moto?: MotoEnv;
  ssh?: SshEnv;
  proxy?: ProxyEnv;
  /** A proxy that signs its clients in as `user` (startIdentityProxy). */
  identityProxy?: ProxyEnv & { user: string };
  bastion?: BastionEnv;
  monitoring?: MonitoringEnv;
  eks?: EksEnv;
}

/** Which services to start. */
export interface TestEnvRequest {
  /** Number of independent API servers (default 0). */
  kubeApiServers?: number;
  postgres?: boolean;
  prometheus?: boolean;
  moto?: boolean;
  ssh?: boolean;
  proxy?: boolean;
  /** A proxy that signs the portal's browser in as a second user (e2e). */
  identityProxy?: boolean;
  /** A private cluster behind a bastion (needs root). */
  bastion?: boolean;
  /**
   * Prometheus with kube-state-metrics, node-exporter and the API servers'
   * metrics for the first two kube API servers, which it seeds with nodes, a
   * workload and events (starts one API server if none is requested).
   */
  monitoring?: boolean;
  /**
   * The EKS stand-in (implies moto, started with IAM's AWS-managed policies;
   * needs root for its network namespace). `true` names the cluster
   * `portal-eks`; `{ clusterName }` picks another name.
   */
  eks?: boolean | { clusterName?: string; creatingDescribes?: number };
}
