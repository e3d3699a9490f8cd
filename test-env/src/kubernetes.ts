import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  RbacAuthorizationV1Api,
  V1CustomResourceDefinition,
  V1NodeCondition,
  V1Taint,
} from '@kubernetes/client-node';
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
    capacity: { cpu: '4', memory: '16Gi', pods: '110' },
    allocatable: { cpu: '4', memory: '16Gi', pods: '110' },
  };
  return core.replaceNodeStatus({ name: node.name, body: created });
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
