import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  CoreV1Event,
  KubeConfig,
  RbacAuthorizationV1Api,
  V1ContainerStatus,
  V1CustomResourceDefinition,
  V1NodeAddress,
  V1NodeCondition,
  V1ObjectReference,
  V1Pod,
  V1PodCondition,
  V1ResourceRequirements,
  V1Taint,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import crypto from 'node:crypto';
import fs from 'node:fs';
import yaml from 'yaml';
import { waitFor } from './processes';
import { KubeApiServerEnv } from './types';

/** An admin (client certificate) KubeConfig for one test API server. */
export function adminKubeConfig(server: KubeApiServerEnv): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: server.name,
        server: server.serverUrl,
        caData: Buffer.from(server.caData).toString('base64'),
        skipTLSVerify: false,
      },
    ],
    users: [
      {
        name: 'admin',
        certData: Buffer.from(server.adminCertData).toString('base64'),
        keyData: Buffer.from(server.adminKeyData).toString('base64'),
      },
    ],
    contexts: [{ name: server.name, cluster: server.name, user: 'admin' }],
    currentContext: server.name,
  });
  return kc;
}

async function ignoreConflict<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e: any) {
    if (e?.code === 409) return undefined;
    throw e;
  }
}

/**
 * Creates a ServiceAccount (and namespace), optionally binds it to a
 * ClusterRole, and issues a token for it through the TokenRequest API, the
 * way `kubectl create token` does.
 */
export async function createServiceAccountToken(
  server: KubeApiServerEnv,
  opts: {
    namespace?: string;
    name: string;
    clusterRole?: string;
    expirationSeconds?: number;
  },
): Promise<string> {
  const kc = adminKubeConfig(server);
  const core = kc.makeApiClient(CoreV1Api);
  const namespace = opts.namespace ?? 'default';
  await ignoreConflict(
    core.createNamespace({ body: { metadata: { name: namespace } } }),
  );
  await ignoreConflict(
    core.createNamespacedServiceAccount({
      namespace,
      body: { metadata: { name: opts.name } },
    }),
  );
  if (opts.clusterRole) {
    await ignoreConflict(
      kc.makeApiClient(RbacAuthorizationV1Api).createClusterRoleBinding({
        body: {
          metadata: { name: `${namespace}-${opts.name}-${opts.clusterRole}` },
          roleRef: {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'ClusterRole',
            name: opts.clusterRole,
          },
          subjects: [{ kind: 'ServiceAccount', name: opts.name, namespace }],
        },
      }),
    );
  }
  const res = await core.createNamespacedServiceAccountToken({
    name: opts.name,
    namespace,
    body: {
      spec: {
        audiences: [],
        expirationSeconds: opts.expirationSeconds ?? 3600,
      },
    },
  });
  return res.status!.token;
}

export interface TestNode {
  name: string;
  /** node-role.kubernetes.io/<role> labels, e.g. ['control-plane'] */
  roles?: string[];
  labels?: Record<string, string>;
  taints?: V1Taint[];
  ready?: boolean;
  kubeletVersion?: string;
  /** status.addresses, e.g. InternalIP (none by default). */
  addresses?: V1NodeAddress[];
  /** status.capacity, also used as allocatable (default 4 CPUs, 16Gi, 110 pods). */
  capacity?: Record<string, string>;
}

/**
 * Creates a Node as an API object (there is no kubelet) and sets its status
 * through the status subresource, as a kubelet would.
 */
export async function createNode(server: KubeApiServerEnv, node: TestNode) {
  const core = adminKubeConfig(server).makeApiClient(CoreV1Api);
  const labels: Record<string, string> = {
    'kubernetes.io/hostname': node.name,
    ...node.labels,
  };
  for (const role of node.roles ?? [])
    labels[`node-role.kubernetes.io/${role}`] = '';
  const created = await core.createNode({
    body: {
      metadata: { name: node.name, labels },
      spec: { taints: node.taints },
    },
  });
  const now = new Date();
  const conditions: V1NodeCondition[] = [
    {
      type: 'Ready',
      status: node.ready === false ? 'False' : 'True',
      reason: node.ready === false ? 'KubeletNotReady' : 'KubeletReady',
      message:
        node.ready === false
          ? 'test node is not ready'
          : 'kubelet is posting ready status',
      lastHeartbeatTime: now,
      lastTransitionTime: now,
    },
  ];
  created.status = {
    conditions,
    nodeInfo: {
      kubeletVersion: node.kubeletVersion ?? 'v1.36.3',
      architecture: 'amd64',
      operatingSystem: 'linux',
      bootID: '',
      containerRuntimeVersion: 'containerd://2.0.0',
      kernelVersion: '6.1.0',
      kubeProxyVersion: '',
      machineID: '',
      osImage: 'Debian GNU/Linux 12',
      systemUUID: '',
    },
    addresses: node.addresses,
    capacity: node.capacity ?? { cpu: '4', memory: '16Gi', pods: '110' },
    allocatable: node.capacity ?? { cpu: '4', memory: '16Gi', pods: '110' },
  };
  const withStatus = await core.replaceNodeStatus({
    name: node.name,
    body: created,
  });
  // Admission (TaintNodesByCondition) gives every new node the not-ready
  // taint; the node lifecycle controller, which does not run here, lifts it
  // once the node is Ready and adds NoExecute while it is not.
  withStatus.spec = {
    ...withStatus.spec,
    taints: notReadyTaints(withStatus.spec?.taints, node.ready !== false, now),
  };
  return core.replaceNode({ name: node.name, body: withStatus });
}

const notReady = 'node.kubernetes.io/not-ready';

function notReadyTaints(
  taints: V1Taint[] | undefined,
  ready: boolean,
  now: Date,
): V1Taint[] | undefined {
  const others = (taints ?? []).filter(t => t.key !== notReady);
  const all = ready
    ? others
    : [
        ...others,
        { key: notReady, effect: 'NoSchedule' },
        { key: notReady, effect: 'NoExecute', timeAdded: now },
      ];
  return all.length ? all : undefined;
}

/**
 * Creates a Deployment and a Pod carrying `labels` (there is no controller
 * manager, so the Pod is created directly, as the ReplicaSet controller would).
 */
export async function createWorkload(
  server: KubeApiServerEnv,
  opts: { namespace?: string; name: string; labels: Record<string, string> },
) {
  const kc = adminKubeConfig(server);
  const namespace = opts.namespace ?? 'default';
  const core = kc.makeApiClient(CoreV1Api);
  await ignoreConflict(
    core.createNamespace({ body: { metadata: { name: namespace } } }),
  );
  const container = { name: 'app', image: 'registry.example/app:1.0' };
  await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name: opts.name, labels: opts.labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: opts.labels },
        template: {
          metadata: { labels: opts.labels },
          spec: { containers: [container] },
        },
      },
    },
  });
  await core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name: `${opts.name}-0`, labels: opts.labels },
      spec: { containers: [container] },
    },
  });
}

/** Kubernetes' alphabet for generated names (`apimachinery/pkg/util/rand`). */
export const GENERATED_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function assertGeneratedName(what: string, value: string, length?: number) {
  const ok =
    value.length > 0 &&
    (length === undefined || value.length === length) &&
    [...value].every(c => GENERATED_NAME_ALPHABET.includes(c));
  if (!ok) {
    throw new Error(
      `${what} '${value}' is not ${
        length ?? 'a string of'
      } characters of ${GENERATED_NAME_ALPHABET}`,
    );
  }
}

/** One pod of a ReplicaSetWorkload, with the status a kubelet would report. */
export interface ReplicaSetWorkloadPod {
  /** The 5 characters the ReplicaSet controller appends (GENERATED_NAME_ALPHABET). */
  suffix: string;
  nodeName: string;
  phase: 'Running' | 'Pending';
  /** Restarts of the container (Running pods; default 0). */
  restartCount?: number;
  /** status.podIP of a Running pod (default 127.0.0.1). */
  podIP?: string;
}

export interface ReplicaSetWorkload {
  namespace: string;
  name: string;
  /** Labels of the Deployment and its pod template; also its selector. */
  labels: Record<string, string>;
  /** The ReplicaSet's pod-template-hash (GENERATED_NAME_ALPHABET). */
  podTemplateHash: string;
  /** The container's requests and limits. */
  resources?: V1ResourceRequirements;
  volumes?: V1Volume[];
  volumeMounts?: V1VolumeMount[];
  /** One entry per replica. */
  pods: ReplicaSetWorkloadPod[];
}

const podCondition = (
  type: string,
  ok: boolean,
  now: Date,
): V1PodCondition => ({
  type,
  status: ok ? 'True' : 'False',
  lastTransitionTime: now,
  ...(ok ? {} : { reason: 'ContainersNotReady' }),
});

/** The status a kubelet reports for a pod that runs, or still creates its container. */
function podStatus(
  pod: ReplicaSetWorkloadPod,
  image: string,
  hostIP: string | undefined,
): V1Pod['status'] {
  const now = new Date();
  const started = new Date(now.getTime() - 600_000);
  const running = pod.phase === 'Running';
  const restartCount = running ? pod.restartCount ?? 0 : 0;
  const container: V1ContainerStatus = {
    name: 'app',
    image,
    imageID: running
      ? `${image.split(':')[0]}@sha256:${crypto
          .createHash('sha256')
          .update(image)
          .digest('hex')}`
      : '',
    containerID: running
      ? `containerd://${crypto.randomBytes(32).toString('hex')}`
      : undefined,
    ready: running,
    started: running,
    restartCount,
    state: running
      ? { running: { startedAt: now } }
      : { waiting: { reason: 'ContainerCreating' } },
    lastState:
      restartCount > 0
        ? {
            terminated: {
              exitCode: 1,
              reason: 'Error',
              startedAt: started,
              finishedAt: now,
            },
          }
        : {},
  };
  const podIP = running ? pod.podIP ?? '127.0.0.1' : undefined;
  return {
    phase: pod.phase,
    conditions: [
      podCondition('PodScheduled', true, started),
      podCondition('Initialized', true, started),
      podCondition('ContainersReady', running, now),
      podCondition('Ready', running, now),
    ],
    hostIP,
    hostIPs: hostIP ? [{ ip: hostIP }] : undefined,
    podIP,
    podIPs: podIP ? [{ ip: podIP }] : undefined,
    startTime: started,
    qosClass: 'Burstable',
    containerStatuses: [container],
  };
}

/**
 * Creates a Deployment, its ReplicaSet `<name>-<podTemplateHash>` and its Pods
 * `<name>-<podTemplateHash>-<suffix>` with owner references, as the Deployment
 * and ReplicaSet controllers would (none runs here), and writes their status
 * through the status subresources, as those controllers and the kubelet would.
 * Returns the objects as the API server stored them.
 */
export async function createReplicaSetWorkload(
  server: KubeApiServerEnv,
  w: ReplicaSetWorkload,
) {
  assertGeneratedName('pod-template-hash', w.podTemplateHash);
  for (const p of w.pods) assertGeneratedName('pod name suffix', p.suffix, 5);
  const kc = adminKubeConfig(server);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const { namespace } = w;
  await ignoreConflict(
    core.createNamespace({ body: { metadata: { name: namespace } } }),
  );
  const image = `registry.example/${w.name}:1.0`;
  const container = {
    name: 'app',
    image,
    resources: w.resources,
    volumeMounts: w.volumeMounts,
  };
  const podLabels = { ...w.labels, 'pod-template-hash': w.podTemplateHash };
  const replicas = w.pods.length;
  const ready = w.pods.filter(p => p.phase === 'Running').length;

  const deployment = await apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name: w.name, labels: w.labels },
      spec: {
        replicas,
        selector: { matchLabels: w.labels },
        template: {
          metadata: { labels: w.labels },
          spec: { containers: [container], volumes: w.volumes },
        },
      },
    },
  });
  const now = new Date();
  deployment.status = {
    observedGeneration: deployment.metadata!.generation,
    replicas,
    updatedReplicas: replicas,
    readyReplicas: ready,
    availableReplicas: ready,
    unavailableReplicas: replicas - ready || undefined,
    conditions: [
      {
        type: 'Available',
        status: ready === replicas ? 'True' : 'False',
        reason:
          ready === replicas
            ? 'MinimumReplicasAvailable'
            : 'MinimumReplicasUnavailable',
        message:
          ready === replicas
            ? 'Deployment has minimum availability.'
            : 'Deployment does not have minimum availability.',
        lastUpdateTime: now,
        lastTransitionTime: now,
      },
      {
        type: 'Progressing',
        status: 'True',
        reason: 'ReplicaSetUpdated',
        message: `ReplicaSet "${w.name}-${w.podTemplateHash}" is progressing.`,
        lastUpdateTime: now,
        lastTransitionTime: now,
      },
    ],
  };
  const deploymentWithStatus = await apps.replaceNamespacedDeploymentStatus({
    name: w.name,
    namespace,
    body: deployment,
  });

  const replicaSetName = `${w.name}-${w.podTemplateHash}`;
  const replicaSet = await apps.createNamespacedReplicaSet({
    namespace,
    body: {
      metadata: {
        name: replicaSetName,
        labels: podLabels,
        annotations: {
          'deployment.kubernetes.io/desired-replicas': String(replicas),
          'deployment.kubernetes.io/max-replicas': String(replicas + 1),
          'deployment.kubernetes.io/revision': '1',
        },
        ownerReferences: [ownerReference('apps/v1', deployment)],
      },
      spec: {
        replicas,
        selector: { matchLabels: podLabels },
        template: {
          metadata: { labels: podLabels },
          spec: { containers: [container], volumes: w.volumes },
        },
      },
    },
  });
  replicaSet.status = {
    observedGeneration: replicaSet.metadata!.generation,
    replicas,
    fullyLabeledReplicas: replicas,
    readyReplicas: ready,
    availableReplicas: ready,
  };
  await apps.replaceNamespacedReplicaSetStatus({
    name: replicaSetName,
    namespace,
    body: replicaSet,
  });

  const pods: V1Pod[] = [];
  for (const p of w.pods) {
    const name = `${replicaSetName}-${p.suffix}`;
    const created = await core.createNamespacedPod({
      namespace,
      body: {
        metadata: {
          name,
          labels: podLabels,
          ownerReferences: [ownerReference('apps/v1', replicaSet)],
        },
        spec: {
          nodeName: p.nodeName,
          containers: [container],
          volumes: w.volumes,
        },
      },
    });
    const node = await core.readNode({ name: p.nodeName }).catch(() => null);
    const hostIP = node?.status?.addresses?.find(
      a => a.type === 'InternalIP',
    )?.address;
    created.status = podStatus(p, image, hostIP);
    pods.push(
      await core.replaceNamespacedPodStatus({
        name,
        namespace,
        body: created,
      }),
    );
  }
  return { deployment: deploymentWithStatus, replicaSet, pods };
}

function ownerReference(
  apiVersion: string,
  owner: { kind?: string; metadata?: { name?: string; uid?: string } },
) {
  return {
    apiVersion,
    kind: owner.kind!,
    name: owner.metadata!.name!,
    uid: owner.metadata!.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** A core/v1 Event as a kubelet or controller records it. */
export interface TestEvent {
  /** The object it is about, as read back from the API (kind, name, namespace, uid). */
  involvedObject: V1ObjectReference;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** How often it happened (default 1), the first time `firstSeenSecondsAgo` ago. */
  count?: number;
  firstSeenSecondsAgo?: number;
  /** The reporting component (source.component), e.g. `kubelet`. */
  component: string;
  /** The reporting host or instance (source.host), e.g. the node name. */
  host?: string;
}

/**
 * Creates a core/v1 Event through the API, named and filled the way client-go's
 * event recorder does (`<object>.<hex timestamp>`, in the object's namespace,
 * `default` for cluster-scoped objects).
 */
export async function createEvent(
  server: KubeApiServerEnv,
  event: TestEvent,
): Promise<CoreV1Event> {
  const core = adminKubeConfig(server).makeApiClient(CoreV1Api);
  const namespace = event.involvedObject.namespace ?? 'default';
  const now = new Date();
  const first = new Date(
    now.getTime() - (event.firstSeenSecondsAgo ?? 0) * 1000,
  );
  return core.createNamespacedEvent({
    namespace,
    body: {
      metadata: {
        name: `${event.involvedObject.name}.${now
          .getTime()
          .toString(16)}${crypto.randomBytes(3).toString('hex')}`,
        namespace,
      },
      involvedObject: event.involvedObject,
      type: event.type,
      reason: event.reason,
      message: event.message,
      count: event.count ?? 1,
      firstTimestamp: first,
      lastTimestamp: now,
      source: { component: event.component, host: event.host },
      reportingComponent: event.component,
      reportingInstance: event.host ?? '',
    },
  });
}

/**
 * Installs the minimal tofu-controller `Terraform` CRD of manifests/ and waits
 * until the API server serves it (condition Established).
 */
export async function installTerraformCrd(server: KubeApiServerEnv) {
  const file = resolvePackagePath(
    '@internal/cluster-registry-test-env',
    'manifests/terraform-crd.yaml',
  );
  const crd = yaml.parse(
    fs.readFileSync(file, 'utf8'),
  ) as V1CustomResourceDefinition;
  const api = adminKubeConfig(server).makeApiClient(ApiextensionsV1Api);
  await ignoreConflict(api.createCustomResourceDefinition({ body: crd }));
  await waitFor(
    'Terraform CRD established',
    async () => {
      const current = await api.readCustomResourceDefinition({
        name: crd.metadata!.name!,
      });
      return current.status?.conditions?.some(
        c => c.type === 'Established' && c.status === 'True',
      );
    },
    { timeoutMs: 30_000 },
  );
}
