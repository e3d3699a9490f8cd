import {
  AwsClusterAuth,
  VerificationResult,
} from '@cluster-registry/plugin-cluster-registry-common';
import { AddressPolicy } from '@cluster-registry/plugin-cluster-registry-node';
import https from 'node:https';
import { AwsTokenSource } from './awsToken';
import { buildKubeConfig, ClusterEndpoint } from './kubeConfig';
import { KubeClient, KubeConnectionError } from './request';
import { isVersionSupported, SupportedVersions } from './versions';

export interface VerifyOptions {
  timeoutMs: number;
  supportedVersions: SupportedVersions;
  /** Mints tokens for AWS IAM clusters; without it they cannot be verified. */
  awsTokens?: AwsTokenSource;
  /** Checks every address dialled (clusterRegistry.addressPolicy). */
  addressPolicy: AddressPolicy;
  /** Carries the connections through a proxy or bastion (see KubeClient). */
  tunnel?: https.Agent;
}

export interface ClusterProbe extends VerificationResult {
  nodeCount?: number;
  /** The request field a failure concerns, when not its reason's usual one. */
  field?: string;
}

const SSAR_PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

/**
 * Connects to the API server with the given credentials, reads its version,
 * finds out what the credentials may do (SelfSubjectAccessReview: everything
 * → admin; list pods in all namespaces → read) and counts the nodes when
 * allowed. Never throws for a cluster-side problem: the result says why.
 */
export async function verifyCluster(
  endpoint: ClusterEndpoint,
  options: VerifyOptions,
): Promise<ClusterProbe> {
  // One deadline for the whole verification, however many requests it makes.
  const deadline = Date.now() + options.timeoutMs;
  const remaining = () => Math.max(1, deadline - Date.now());
  let awsToken: string | undefined;
  if (endpoint.auth.type === 'aws') {
    const minted = await mintAwsToken(endpoint.auth, options);
    if ('failure' in minted) return minted.failure;
    awsToken = minted.token;
  }
  const kc = buildKubeConfig(endpoint, awsToken);
  const client = new KubeClient(kc, options.addressPolicy, options.tunnel);
  const call = (method: 'GET' | 'POST', path: string, body?: unknown) =>
    client.request(method, path, { body, timeoutMs: remaining() });
  try {
    const version = await call('GET', '/version');
    if (version.status === 401) {
      return {
        ok: false,
        reason: 'unauthorized',
        message: awsToken
          ? `the API server rejected the AWS IAM token (401 Unauthorized): is the identity behind it mapped in the cluster (EKS access entry or aws-auth ConfigMap), and is '${
              (endpoint.auth as { clusterId: string }).clusterId
            }' the cluster's id?`
          : 'the API server rejected the credentials (401 Unauthorized)',
      };
    }
    if (
      version.status !== 200 ||
      typeof version.body?.gitVersion !== 'string'
    ) {
      return {
        ok: false,
        reason: 'error',
        message: `GET /version answered ${version.status}; is this a Kubernetes API server?`,
      };
    }
    // What a server says is bounded before it is stored.
    const kubernetesVersion: string = version.body.gitVersion.slice(0, 64);
    const allowed = async (attributes: Record<string, string>) => {
      const review = await call('POST', SSAR_PATH, {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: attributes },
      });
      return (
        review.status === 201 &&
        typeof review.body === 'object' &&
        review.body?.status?.allowed === true
      );
    };
    const [admin, read, nodes] = await Promise.all([
      allowed({ verb: '*', group: '*', resource: '*' }),
      allowed({ verb: 'list', group: '', resource: 'pods' }),
      call('GET', '/api/v1/nodes?limit=1'),
    ]);
    let permissionLevel: 'admin' | 'read' | 'none' = 'none';
    if (admin) permissionLevel = 'admin';
    else if (read) permissionLevel = 'read';
    let nodeCount: number | undefined;
    if (nodes.status === 200 && nodes.body && typeof nodes.body === 'object') {
      const items = Array.isArray(nodes.body.items)
        ? nodes.body.items.length
        : 0;
      const more = Number(nodes.body.metadata?.remainingItemCount ?? 0);
      const total = items + (Number.isSafeInteger(more) ? more : 0);
      nodeCount = total >= 0 && total <= 1_000_000 ? total : undefined;
    }
    const base = {
      kubernetesVersion,
      versionSupported: isVersionSupported(
        kubernetesVersion,
        options.supportedVersions,
      ),
      permissionLevel,
      nodeCount,
    } as const;
    if (permissionLevel === 'none') {
      return {
        ...base,
        ok: false,
        reason: 'forbidden',
        message:
          'the credentials may not list pods in all namespaces; grant at least the view ClusterRole',
      };
    }
    return { ...base, ok: true };
  } catch (e) {
    if (e instanceof KubeConnectionError)
      return {
        ok: false,
        reason: e.reason,
        message: e.message,
        ...(e.field && { field: e.field }),
        ...(e.sshHostKey && { sshHostKey: e.sshHostKey }),
      };
    // Anything else is an answer this code did not expect: a result, not a 500.
    return {
      ok: false,
      reason: 'error',
      message: `unexpected answer from ${endpoint.serverUrl}; is this a Kubernetes API server?`,
    };
  } finally {
    client.close();
  }
}

class AwsTimeout extends Error {}

/**
 * A token for an AWS IAM cluster from the configured source, or why there is
 * none (no AWS credentials, the role may not be assumed, STS unreachable).
 */
export async function mintAwsToken(
  auth: AwsClusterAuth,
  options: VerifyOptions,
): Promise<{ token: string } | { failure: ClusterProbe }> {
  if (!options.awsTokens) {
    return {
      failure: {
        ok: false,
        reason: 'invalid',
        message:
          'this backend has no AWS token source to verify AWS IAM clusters',
      },
    };
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    const token = await Promise.race([
      options.awsTokens(auth),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new AwsTimeout()), options.timeoutMs);
      }),
    ]);
    return { token };
  } catch (e) {
    if (e instanceof AwsTimeout) {
      return {
        failure: {
          ok: false,
          reason: 'timeout',
          message: `no AWS IAM token within ${options.timeoutMs} ms (is AWS STS reachable?)`,
        },
      };
    }
    return {
      failure: {
        ok: false,
        reason: 'unauthorized',
        message: `could not get an AWS IAM token${
          auth.assumeRole ? ` as ${auth.assumeRole}` : ''
        }: ${e instanceof Error ? e.message : String(e)}`,
      },
    };
  } finally {
    clearTimeout(timer);
  }
}
