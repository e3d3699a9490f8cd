import {
  clusterEntityRef,
  clusterPageUrl,
} from '@cluster-registry/plugin-cluster-registry-common';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  connectionFromFields,
  CreateClusterRequest,
  KubeconfigImportResult,
} from '@cluster-registry/plugin-cluster-registry-common';
import { ClusterRegistryService } from '@cluster-registry/plugin-cluster-registry-node';
import { examples } from './register.examples';

type ConnectionStep = {
  method?: 'direct' | 'proxy' | 'sshTunnel';
  proxyUrl?: string;
  proxyUsername?: string;
  proxyPasswordSecret?: string;
  sshHost?: string;
  sshPort?: number;
  sshUsername?: string;
  sshPasswordSecret?: string;
  sshPrivateKeySecret?: string;
  sshPassphraseSecret?: string;
  sshHostKeys?: string[];
};

/**
 * The registration's connection method from the step's `connection` input,
 * its secrets read from the task secrets it names. The registry validates
 * it like any other registration (its field errors name `connection.…`).
 */
function connectionOf(
  step: ConnectionStep | undefined,
  secret: (key: string) => string | undefined,
): CreateClusterRequest['connection'] {
  if (!step) return undefined; // the registry's default: direct
  // A template renders a parameter the user left empty as "".
  const given = (value?: string) => value || undefined;
  const method = step.method || 'direct';
  // Only the chosen method's secrets are read.
  const proxyUsername =
    method === 'proxy' ? given(step.proxyUsername) : undefined;
  return connectionFromFields({
    method,
    proxyUrl: step.proxyUrl,
    proxyUsername,
    proxyPassword: proxyUsername
      ? secret(step.proxyPasswordSecret || 'proxyPassword')
      : undefined,
    sshHost: step.sshHost,
    sshPort: step.sshPort ? Number(step.sshPort) : undefined,
    sshUsername: step.sshUsername,
    ...(method === 'sshTunnel' && {
      sshPassword: secret(step.sshPasswordSecret || 'sshPassword'),
      sshPrivateKey: secret(step.sshPrivateKeySecret || 'sshPrivateKey'),
      sshPassphrase: secret(step.sshPassphraseSecret || 'sshPassphrase'),
    }),
    sshHostKeys: step.sshHostKeys?.filter(Boolean),
  });
}

/**
 * cluster-registry:register — registers clusters by token, from a kubeconfig,
 * or as isolated records, through the registry's API on behalf of the user
 * who started the task (their permissions apply). Credentials come from the
 * task's secrets; the step only names which secret holds them.
 *
 * @public
 */
export function createRegisterClusterAction(options: {
  registry: ClusterRegistryService;
  appBaseUrl: string;
}) {
  const { registry, appBaseUrl } = options;
  return createTemplateAction({
    id: 'cluster-registry:register',
    description:
      'Registers Kubernetes clusters in the cluster registry: by server URL and token, by importing contexts of a kubeconfig, or as isolated (air-gapped) records. Credentials are read from the task secrets.',
    examples,
    schema: {
      input: {
        method: z =>
          z
            .enum(['token', 'kubeconfig', 'isolated'])
            .default('token')
            .describe('How to register'),
        name: z =>
          z
            .string()
            .optional()
            .describe('Cluster name (token / isolated): a DNS-1123 label'),
        title: z => z.string().optional().describe('Display name'),
        description: z => z.string().optional(),
        category: z => z.string().optional().describe('prod, staging, ...'),
        owner: z =>
          z
            .string()
            .optional()
            .describe('Group or user, e.g. group:default/platform'),
        labels: z => z.record(z.string()).optional(),
        serverUrl: z =>
          z
            .string()
            .optional()
            .describe('https:// URL of the API server (token)'),
        caData: z =>
          z
            .string()
            .optional()
            .describe('CA of the API server, PEM or base64 PEM'),
        insecureSkipTlsVerify: z => z.boolean().default(false),
        tokenSecret: z =>
          z
            .string()
            .default('token')
            .describe('Name of the task secret holding the bearer token'),
        kubeconfigSecret: z =>
          z
            .string()
            .default('kubeconfig')
            .describe('Name of the task secret holding the kubeconfig'),
        contexts: z =>
          z
            .array(
              z.object({
                context: z.string(),
                name: z.string().optional(),
              }),
            )
            .optional()
            .describe('Kubeconfig contexts to register (kubeconfig)'),
        prometheusUrl: z => z.string().optional(),
        prometheusUsername: z =>
          z
            .string()
            .optional()
            .describe(
              'Basic auth; the password is the secret named by prometheusPasswordSecret',
            ),
        prometheusPasswordSecret: z => z.string().default('prometheusPassword'),
        prometheusThroughClusterConnection: z =>
          z
            .boolean()
            .default(false)
            .describe(
              "Reach the Prometheus through the cluster's proxy or SSH tunnel (a Prometheus in the private network)",
            ),
        connection: z =>
          z
            .object({
              method: z
                .enum(['direct', 'proxy', 'sshTunnel'])
                .default('direct')
                .describe(
                  'How the portal reaches the API server (token): directly, through an HTTP CONNECT proxy, or through an SSH bastion',
                ),
              proxyUrl: z
                .string()
                .optional()
                .describe('proxy: http:// or https:// URL of the proxy'),
              proxyUsername: z
                .string()
                .optional()
                .describe(
                  'proxy: Basic auth user; the password is the task secret named by proxyPasswordSecret',
                ),
              proxyPasswordSecret: z.string().default('proxyPassword'),
              sshHost: z.string().optional().describe('sshTunnel: the bastion'),
              sshPort: z.number().int().default(22),
              sshUsername: z.string().optional(),
              sshPasswordSecret: z
                .string()
                .default('sshPassword')
                .describe('sshTunnel: task secret with the password, if any'),
              sshPrivateKeySecret: z
                .string()
                .default('sshPrivateKey')
                .describe(
                  'sshTunnel: task secret with the private key, if any',
                ),
              sshPassphraseSecret: z
                .string()
                .default('sshPassphrase')
                .describe("sshTunnel: task secret with the key's passphrase"),
              sshHostKeys: z
                .array(z.string())
                .optional()
                .describe(
                  "sshTunnel: the bastion's host keys (SHA256: fingerprints, public-key or known_hosts lines); left out, verification pins the key the bastion presents",
                ),
            })
            .optional(),
        skipVerification: z => z.boolean().default(false),
      },
      output: {
        names: z => z.array(z.string()).describe('Registered cluster names'),
        entityRefs: z =>
          z.array(z.string()).describe('Catalog entity refs of the clusters'),
        clusterUrls: z => z.array(z.string()).describe('Cluster pages'),
        name: z => z.string().optional().describe('The first cluster name'),
        entityRef: z => z.string().optional(),
        clusterUrl: z => z.string().optional(),
      },
    },
    async handler(ctx) {
      // The scaffolder checks a step's input against the JSON schema but hands
      // it over as written: the zod defaults above are not applied
      // (backstage/backstage#30613), so they are applied here.
      const input = {
        ...ctx.input,
        method: ctx.input.method ?? 'token',
        tokenSecret: ctx.input.tokenSecret ?? 'token',
        kubeconfigSecret: ctx.input.kubeconfigSecret ?? 'kubeconfig',
        prometheusPasswordSecret:
          ctx.input.prometheusPasswordSecret ?? 'prometheusPassword',
        insecureSkipTlsVerify: ctx.input.insecureSkipTlsVerify ?? false,
        skipVerification: ctx.input.skipVerification ?? false,
      };
      // A secret field left empty is no secret. The scaffolder puts the
      // user's own Backstage token among the task secrets: never a credential
      // to send to a cluster, proxy or bastion a template names.
      const secret = (key: string) => {
        if (key === 'backstageToken')
          throw new InputError(
            "the task secret 'backstageToken' is the user's Backstage token, not a cluster credential: name another secret",
          );
        return ctx.secrets?.[key] || undefined;
      };
      const credentials = await ctx.getInitiatorCredentials();
      const common = {
        title: input.title,
        description: input.description,
        category: input.category,
        owner: input.owner,
        labels: input.labels,
      };

      // A retried task does not register twice: the names are checkpointed.
      const names = await ctx.checkpoint({
        key: `cluster-registry-register-${input.method}-${input.name ?? ''}`,
        fn: async (): Promise<string[]> => {
          if (input.method === 'kubeconfig') {
            const kubeconfig = secret(input.kubeconfigSecret);
            if (!kubeconfig)
              throw new InputError(
                `kubeconfigSecret: no task secret named '${input.kubeconfigSecret}'`,
              );
            if (!input.contexts?.length)
              throw new InputError('contexts: pick at least one context');
            const results: KubeconfigImportResult[] =
              await registry.importKubeconfig(
                {
                  kubeconfig,
                  contexts: input.contexts,
                  category: input.category,
                  owner: input.owner,
                  skipVerification: input.skipVerification,
                },
                { credentials },
              );
            for (const r of results) {
              if (r.status === 'created')
                ctx.logger.info(`registered ${r.context} as ${r.name}`);
              else
                ctx.logger.error(
                  `${r.context} not registered as ${r.name}: ${r.error.message}`,
                );
            }
            const failed = results.flatMap(r =>
              r.status === 'failed' ? [`${r.context}: ${r.error.message}`] : [],
            );
            if (failed.length === results.length)
              throw new InputError(
                `no context registered: ${failed.join('; ')}`,
              );
            return results.filter(r => r.status === 'created').map(r => r.name);
          }

          if (!input.name) throw new InputError('name: is required');
          let request: CreateClusterRequest;
          if (input.method === 'isolated') {
            request = { ...common, name: input.name, isolated: true };
          } else {
            const token = secret(input.tokenSecret);
            if (!token)
              throw new InputError(
                `tokenSecret: no task secret named '${input.tokenSecret}'`,
              );
            const password = secret(input.prometheusPasswordSecret);
            request = {
              connection: connectionOf(input.connection, secret),
              ...common,
              name: input.name,
              serverUrl: input.serverUrl,
              auth: { type: 'bearerToken', token },
              tls: {
                caData: input.caData || undefined,
                insecureSkipTlsVerify: input.insecureSkipTlsVerify,
              },
              prometheus: input.prometheusUrl
                ? {
                    url: input.prometheusUrl,
                    auth:
                      input.prometheusUsername && password
                        ? {
                            type: 'basic',
                            username: input.prometheusUsername,
                            password,
                          }
                        : { type: 'anonymous' },
                    throughClusterConnection:
                      input.prometheusThroughClusterConnection || undefined,
                  }
                : undefined,
              skipVerification: input.skipVerification,
            };
          }
          const cluster = await registry.createCluster(request, {
            credentials,
          });
          ctx.logger.info(
            `registered ${cluster.name}: ${cluster.status.state}${
              cluster.status.kubernetesVersion
                ? `, Kubernetes ${cluster.status.kubernetesVersion}`
                : ''
            }`,
          );
          return [cluster.name];
        },
      });

      const entityRefs = names.map(clusterEntityRef);
      const clusterUrls = names.map(n => clusterPageUrl(appBaseUrl, n));
      ctx.output('names', names);
      ctx.output('entityRefs', entityRefs);
      ctx.output('clusterUrls', clusterUrls);
      if (names.length) {
        ctx.output('name', names[0]);
        ctx.output('entityRef', entityRefs[0]);
        ctx.output('clusterUrl', clusterUrls[0]);
      }
    },
  });
}
