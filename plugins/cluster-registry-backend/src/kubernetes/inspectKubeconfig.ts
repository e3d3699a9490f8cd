import {
  CreateClusterRequest,
  KubeconfigContextInfo,
  KubeconfigInspection,
  serverUrlSchema,
} from '@cluster-registry/plugin-cluster-registry-common';
import { z } from 'zod';
import { AddressPolicy } from '@cluster-registry/plugin-cluster-registry-node';
import { zodIssues } from '../service/parse';
import { YamlParserPool } from './yamlWorker';
import { fieldError, fieldsError } from '../service/errors';

/**
 * Kubeconfigs are data. They are parsed off the main thread with a bounded
 * YAML parser (see yamlWorker), their shape is checked here before any value
 * is used, and nothing in them is ever acted on: no file is read
 * (token-file, client-certificate, client-key, certificate-authority), no
 * program is run (exec plugins), no auth provider is called. Contexts that
 * need one of those are reported as not usable, with the reason.
 */

type KubeconfigAuthKind = KubeconfigContextInfo['authKind'];

const name = z.string().min(1, 'is required').max(1024, 'is too long');
/** `~` (null) in YAML reads as "not given". */
const opt = <T extends z.ZodTypeAny>(schema: T) =>
  schema.nullish().transform(v => v ?? undefined);
/** Bounded like the contract's fields, so inspection stays cheap per context. */
const text = z.string().max(256 * 1024, 'is too large');
const short = z.string().max(4096, 'is too long');
const tokenText = z.string().max(16 * 1024, 'is larger than 16 KB');
const list = <T extends z.ZodTypeAny>(item: T) =>
  z
    .array(item)
    .max(1000, 'has more than 1000 entries')
    .nullish()
    .transform(v => v ?? []);

const clusterEntry = z.object({
  name,
  cluster: z
    .object({
      server: opt(short),
      'certificate-authority-data': opt(text),
      'certificate-authority': opt(short),
      'insecure-skip-tls-verify': opt(z.boolean()),
      'proxy-url': opt(short),
      'tls-server-name': opt(short),
    })
    .passthrough(),
});

const userEntry = z.object({
  name,
  user: z
    .object({
      token: opt(tokenText),
      'token-file': opt(short),
      tokenFile: opt(short),
      'client-certificate-data': opt(text),
      'client-key-data': opt(text),
      'client-certificate': opt(short),
      'client-key': opt(short),
      username: opt(short),
      password: opt(short),
      exec: opt(
        z
          .object({
            command: opt(short),
            args: opt(z.array(z.unknown()).max(100)),
          })
          .passthrough(),
      ),
      'auth-provider': opt(z.object({ name: opt(text) }).passthrough()),
    })
    .passthrough()
    .nullish()
    .transform(v => v ?? {}),
});

const contextEntry = z.object({
  name,
  context: z
    .object({ cluster: name, user: name, namespace: opt(short) })
    .passthrough(),
});

const kubeconfigSchema = z
  .object({
    'current-context': opt(z.string().max(1024)),
    clusters: list(clusterEntry),
    users: list(userEntry),
    contexts: list(contextEntry),
  })
  .passthrough();

/** A kubeconfig whose shape has been checked; values are still untrusted. */
export type Kubeconfig = z.output<typeof kubeconfigSchema>;
type KubeconfigUser = Kubeconfig['users'][number]['user'];
type KubeconfigCluster = Kubeconfig['clusters'][number]['cluster'];

const parser = new YamlParserPool();

/** Parses kubeconfig text; anything malformed is a 400 naming where. */
export async function parseKubeconfig(text_: string): Promise<Kubeconfig> {
  const data = await parser.parse(text_);
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw fieldError(
      'kubeconfig',
      'must be a YAML mapping (apiVersion, clusters, users, contexts)',
    );
  }
  const result = kubeconfigSchema.safeParse(data);
  if (!result.success) throw fieldsError(zodIssues(result.error, 'kubeconfig'));
  if (!result.data.contexts.length)
    throw fieldError('kubeconfig', 'has no contexts');
  return result.data;
}

/** A DNS-1123 label from a context name such as arn:aws:eks:eu-west-1:123:cluster/prod. */
export function suggestName(contextName: string): string {
  const cleaned = contextName
    .slice(0, 1024)
    .toLowerCase()
    .replace(/^arn:aws[a-z-]*:eks:[^:]*:\d+:cluster\//, '')
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 63)
    .replace(/-$/, '');
  return cleaned || 'cluster';
}

function awsClusterIdFromExec(args: unknown[]): string | undefined {
  const strings = args.filter((a): a is string => typeof a === 'string');
  for (const flag of ['--cluster-name', '-i', '--cluster-id']) {
    const i = strings.indexOf(flag);
    const id = i >= 0 ? strings[i + 1] : undefined;
    if (id && /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/.test(id)) return id;
  }
  return undefined;
}

const FILE_REFERENCE =
  'the portal never reads files named in a kubeconfig; export the data form with `kubectl config view --flatten --minify`';

function authOf(user: KubeconfigUser | undefined): {
  kind: KubeconfigAuthKind;
  reason?: string;
} {
  if (!user)
    return {
      kind: 'none',
      reason: 'the context names a user that is not in the kubeconfig',
    };
  // Any file reference makes the context unusable, even next to inline data:
  // nothing of a context that points at the backend's files is taken.
  const fileKeys = (
    ['token-file', 'tokenFile', 'client-certificate', 'client-key'] as const
  ).filter(k => user[k] !== undefined);
  if (fileKeys.length) {
    return {
      kind: 'file',
      reason: `the user refers to a file (${fileKeys.join(
        ', ',
      )}); ${FILE_REFERENCE}`,
    };
  }
  if (user.exec) {
    const command =
      typeof user.exec.command === 'string' ? user.exec.command : '';
    const args = user.exec.args ?? [];
    const shown = command.replace(/[^\x20-\x7e]/g, '?').slice(0, 100);
    const id = awsClusterIdFromExec(args);
    const idNote = id ? ` (cluster id ${id})` : '';
    if (/(^|\/)aws$/.test(command) && args.includes('get-token')) {
      return {
        kind: 'exec',
        reason: `uses the \`aws eks get-token\` exec plugin, which cannot run in the portal; register the cluster with AWS IAM auth instead${idNote}`,
      };
    }
    if (/aws-iam-authenticator$/.test(command)) {
      return {
        kind: 'exec',
        reason: `uses aws-iam-authenticator, which cannot run in the portal; register the cluster with AWS IAM auth instead${idNote}`,
      };
    }
    return {
      kind: 'exec',
      reason: `needs the exec plugin \`${shown}\` to get a credential; the portal never runs programs named in a kubeconfig; use a ServiceAccount token (kubectl create token) or a client certificate`,
    };
  }
  if (user['auth-provider']) {
    const provider = String(user['auth-provider'].name ?? 'auth provider')
      .replace(/[^\x20-\x7e]/g, '?')
      .slice(0, 100);
    return {
      kind: 'authProvider',
      reason: `needs an interactive login (${provider}, e.g. OIDC); use a ServiceAccount token or a client certificate`,
    };
  }
  if (user.token) {
    // The same rule as the contract's auth.token: what a header can carry.
    return /^[\x21-\x7e]+$/.test(user.token)
      ? { kind: 'token' }
      : {
          kind: 'token',
          reason:
            'the token contains spaces, line breaks or non-ASCII characters, which an HTTP header cannot carry',
        };
  }
  if (user['client-certificate-data'] && user['client-key-data'])
    return { kind: 'clientCertificate' };
  if (user['client-certificate-data'] || user['client-key-data'])
    return {
      kind: 'clientCertificate',
      reason: 'has a client certificate or a client key, but not both',
    };
  if (user.username || user.password) {
    return {
      kind: 'basic',
      reason:
        'uses basic auth (username/password), which Kubernetes no longer supports',
    };
  }
  return { kind: 'none', reason: 'has no credential the portal can use' };
}

function clusterProblem(
  cluster: KubeconfigCluster | undefined,
  policy: AddressPolicy,
): string | undefined {
  if (!cluster)
    return 'the context names a cluster that is not in the kubeconfig';
  if (cluster['certificate-authority'] !== undefined)
    return `the CA is a file reference (certificate-authority); ${FILE_REFERENCE}`;
  if (!cluster.server) return 'the cluster has no server';
  const server = serverUrlSchema.safeParse(cluster.server);
  if (!server.success)
    return `the server ${server.error.issues[0]?.message ?? 'is not valid'}`;
  const verdict = policy.checkHost(new URL(server.data).hostname);
  if (verdict) return `the address policy refuses the server: ${verdict}`;
  if (cluster['proxy-url'] !== undefined)
    return 'the cluster sets proxy-url; register it by server URL with the "via proxy" connection method';
  return undefined;
}

/** A URL shown back to the user: only what the contract accepts, else nothing. */
function shownServer(cluster: KubeconfigCluster | undefined): string {
  const parsed = serverUrlSchema.safeParse(cluster?.server);
  return parsed.success ? parsed.data : '';
}

function byName<T extends { name: string }>(entries: T[]) {
  const map = new Map<string, T>();
  for (const e of entries) if (!map.has(e.name)) map.set(e.name, e);
  return map;
}

/** Lists every context with its server, auth kind, and whether the portal can use it. */
export function inspectKubeconfig(
  kc: Kubeconfig,
  policy: AddressPolicy,
): KubeconfigInspection {
  const clusters = byName(kc.clusters);
  const users = byName(kc.users);
  // Each user and cluster is judged once, however many contexts name it.
  const authByUser = new Map<string, ReturnType<typeof authOf>>();
  const problemByCluster = new Map<string, string | undefined>();
  const serverByCluster = new Map<string, string>();
  const contexts = kc.contexts.map(ctx => {
    const cluster = clusters.get(ctx.context.cluster)?.cluster;
    if (!authByUser.has(ctx.context.user))
      authByUser.set(
        ctx.context.user,
        authOf(users.get(ctx.context.user)?.user),
      );
    if (!problemByCluster.has(ctx.context.cluster)) {
      problemByCluster.set(
        ctx.context.cluster,
        clusterProblem(cluster, policy),
      );
      serverByCluster.set(ctx.context.cluster, shownServer(cluster));
    }
    const auth = authByUser.get(ctx.context.user)!;
    const reason = problemByCluster.get(ctx.context.cluster) ?? auth.reason;
    return {
      context: ctx.name,
      cluster: ctx.context.cluster,
      user: ctx.context.user,
      serverUrl: serverByCluster.get(ctx.context.cluster)!,
      authKind: auth.kind,
      usable: !reason,
      reason,
      suggestedName: suggestName(ctx.name),
    };
  });
  return { currentContext: kc['current-context'], contexts };
}

/** The registration body for one usable context (validated later like any registration). */
export function registrationFromContext(
  kc: Kubeconfig,
  contextName: string,
  policy: AddressPolicy,
): CreateClusterRequest {
  const ctx = kc.contexts.find(c => c.name === contextName);
  if (!ctx)
    throw fieldError(
      'context',
      `no context named '${contextName}' in the kubeconfig`,
    );
  const inspected = inspectKubeconfig({ ...kc, contexts: [ctx] }, policy)
    .contexts[0];
  if (!inspected.usable)
    throw fieldError('context', `'${contextName}' ${inspected.reason}`);
  const cluster = byName(kc.clusters).get(ctx.context.cluster)!.cluster;
  const user = byName(kc.users).get(ctx.context.user)!.user;
  return {
    name: inspected.suggestedName,
    serverUrl: cluster.server!,
    tls: {
      caData: cluster['certificate-authority-data'],
      insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] ?? false,
    },
    auth: user.token
      ? { type: 'bearerToken', token: user.token }
      : {
          type: 'clientCertificate',
          certData: user['client-certificate-data']!,
          keyData: user['client-key-data']!,
        },
  };
}
