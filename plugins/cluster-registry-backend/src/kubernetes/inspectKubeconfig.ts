import { InputError } from '@backstage/errors';
import { KubeConfig, User } from '@kubernetes/client-node';
import {
  CreateClusterRequest,
  KubeconfigContextInfo,
  KubeconfigInspection,
} from '@cluster-registry/plugin-cluster-registry-common';

type KubeconfigAuthKind = KubeconfigContextInfo['authKind'];

/** Parses kubeconfig text with @kubernetes/client-node; malformed input is a 400. */
export function parseKubeconfig(text: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    kc.loadFromString(text);
  } catch (e) {
    throw new InputError(
      `kubeconfig: not a valid kubeconfig: ${(e as Error).message}`,
    );
  }
  if (!kc.getContexts().length)
    throw new InputError('kubeconfig: has no contexts');
  return kc;
}

/** A DNS-1123 label from a context name such as arn:aws:eks:eu-west-1:123:cluster/prod. */
export function suggestName(contextName: string): string {
  const cleaned = contextName
    .toLowerCase()
    .replace(/^arn:aws[a-z-]*:eks:[^:]*:\d+:cluster\//, '')
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 63)
    .replace(/-$/, '');
  return cleaned || 'cluster';
}

function awsClusterIdFromExec(exec: any): string | undefined {
  const args: string[] = exec?.args ?? [];
  for (const flag of ['--cluster-name', '-i', '--cluster-id']) {
    const i = args.indexOf(flag);
    if (i >= 0 && args[i + 1]) return args[i + 1];
  }
  return undefined;
}

function authOf(user: User | null): {
  kind: KubeconfigAuthKind;
  reason?: string;
} {
  if (!user)
    return {
      kind: 'none',
      reason: 'the context names a user that is not in the kubeconfig',
    };
  if (user.token) return { kind: 'token' };
  if (user.certData && user.keyData) return { kind: 'clientCertificate' };
  if (user.certFile || user.keyFile) {
    return {
      kind: 'file',
      reason:
        'the client certificate is a file reference, which the portal does not read; export the data form with `kubectl config view --flatten --minify`',
    };
  }
  if (user.exec) {
    const command = String(user.exec.command ?? '');
    const args: string[] = user.exec.args ?? [];
    if (/(^|\/)aws$/.test(command) && args.includes('get-token')) {
      const id = awsClusterIdFromExec(user.exec);
      return {
        kind: 'exec',
        reason: `uses the \`aws eks get-token\` exec plugin, which cannot run in the portal; register the cluster with AWS IAM auth instead${
          id ? ` (cluster id ${id})` : ''
        }`,
      };
    }
    if (/aws-iam-authenticator$/.test(command)) {
      const id = awsClusterIdFromExec(user.exec);
      return {
        kind: 'exec',
        reason: `uses aws-iam-authenticator, which cannot run in the portal; register the cluster with AWS IAM auth instead${
          id ? ` (cluster id ${id})` : ''
        }`,
      };
    }
    return {
      kind: 'exec',
      reason: `needs the exec plugin \`${command}\` to get a credential, which cannot run in the portal; use a ServiceAccount token (kubectl create token) or a client certificate`,
    };
  }
  if (user.authProvider) {
    return {
      kind: 'authProvider',
      reason: `needs an interactive login (${
        user.authProvider.name ?? 'auth provider'
      }, e.g. OIDC); use a ServiceAccount token or a client certificate`,
    };
  }
  if (user.username || user.password) {
    return {
      kind: 'basic',
      reason:
        'uses basic auth (username/password), which Kubernetes no longer supports',
    };
  }
  return {
    kind: 'none',
    reason:
      'has no credential the portal can use (token-file and other file references are not read)',
  };
}

/** Lists every context with its server, auth kind, and whether the portal can use it. */
export function inspectKubeconfig(kc: KubeConfig): KubeconfigInspection {
  const contexts = kc.getContexts().map(ctx => {
    const cluster = kc.getCluster(ctx.cluster);
    const auth = authOf(kc.getUser(ctx.user));
    let reason = auth.reason;
    if (!cluster)
      reason = 'the context names a cluster that is not in the kubeconfig';
    else if (!cluster.server.startsWith('https://'))
      reason = 'the server is not an https:// URL';
    else if (cluster.caFile)
      reason =
        reason ??
        'the CA is a file reference; export the data form with `kubectl config view --flatten --minify`';
    return {
      context: ctx.name,
      cluster: ctx.cluster,
      user: ctx.user,
      serverUrl: cluster?.server ?? '',
      authKind: auth.kind,
      usable: !reason,
      reason,
      suggestedName: suggestName(ctx.name),
    };
  });
  return { currentContext: kc.getCurrentContext() || undefined, contexts };
}

/** The registration body for one usable context (validated later like any registration). */
export function registrationFromContext(
  kc: KubeConfig,
  contextName: string,
): CreateClusterRequest {
  const ctx = kc.getContextObject(contextName);
  if (!ctx)
    throw new InputError(
      `contexts: no context named '${contextName}' in the kubeconfig`,
    );
  const inspected = inspectKubeconfig(kc).contexts.find(
    c => c.context === contextName,
  )!;
  if (!inspected.usable)
    throw new InputError(`context ${contextName}: ${inspected.reason}`);
  const cluster = kc.getCluster(ctx.cluster)!;
  const user = kc.getUser(ctx.user)!;
  return {
    name: inspected.suggestedName,
    serverUrl: cluster.server,
    tls: {
      caData: cluster.caData,
      insecureSkipTlsVerify: cluster.skipTLSVerify ?? false,
    },
    auth: user.token
      ? { type: 'bearerToken', token: user.token }
      : {
          type: 'clientCertificate',
          certData: user.certData!,
          keyData: user.keyData!,
        },
  };
}
