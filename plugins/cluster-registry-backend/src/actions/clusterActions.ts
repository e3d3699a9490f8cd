import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import {
  CLUSTER_STATES,
  ConnectionFields,
  connectionFromFields,
  clusterPageUrl,
  createClusterSchema,
  provisionClusterSchema,
  updateClusterSchema,
} from '@cluster-registry/plugin-cluster-registry-common';
import { SupportedVersions } from '../kubernetes/versions';
import { ClusterService } from '../service/ClusterService';
import { parse } from '../service/parse';
import { toClusterView, toProvisioningView } from '../service/views';

/**
 * An MCP client's connection settings in the contract's shape, to be checked
 * like a registration: an SSH login's secret is a placeholder, since the
 * person completing the registration enters it.
 */
function checkableConnection(fields: ConnectionFields) {
  return connectionFromFields({
    ...fields,
    sshPassword: fields.method === 'sshTunnel' ? 'checked-later' : undefined,
  });
}

/**
 * The registry's main operations in the backend actions registry (and so for
 * MCP clients through the MCP actions backend), with the same permission
 * checks as the REST API: the caller's credentials decide.
 */
export function registerClusterActions(options: {
  actionsRegistry: ActionsRegistryService;
  service: ClusterService;
  supportedVersions: SupportedVersions;
  /** The portal's address, for links where a person completes an action. */
  appBaseUrl?: string;
}) {
  const { actionsRegistry, service, supportedVersions, appBaseUrl } = options;
  const summary = (c: ReturnType<typeof toClusterView>) => ({
    name: c.name,
    title: c.title,
    category: c.category,
    owner: c.owner,
    serverUrl: c.serverUrl,
    isolated: c.isolated,
    state: c.status.state,
    message: c.status.message,
    kubernetesVersion: c.status.kubernetesVersion,
    nodeCount: c.status.nodeCount,
  });
  /** The `{ cluster }` output of an action that changed one cluster. */
  const clusterOutput = (record: Parameters<typeof toClusterView>[0]) => ({
    output: {
      cluster: summary(toClusterView(record, supportedVersions)) as any,
    },
  });

  actionsRegistry.register({
    name: 'list-clusters',
    title: 'List Kubernetes clusters',
    description:
      'Lists the Kubernetes clusters registered in the portal, optionally filtered by category (prod, staging, qa, dev, ...), state (running, unreachable, unauthorized, pending, isolated, ...) and a text that the name, title, description or server URL contains. Paged: pass nextCursor back as cursor.',
    attributes: { readOnly: true },
    schema: {
      input: z =>
        z.object({
          categories: z
            .array(z.string())
            .optional()
            .describe('Categories, any of'),
          states: z.array(z.enum(CLUSTER_STATES)).optional(),
          q: z.string().max(200).optional().describe('Text to search for'),
          limit: z.number().int().min(1).max(500).default(50),
          cursor: z.string().optional(),
        }),
      output: z =>
        z.object({
          clusters: z.array(z.object({}).passthrough()),
          totalCount: z.number(),
          nextCursor: z.string().optional(),
        }),
    },
    action: async ({ input, credentials }) => {
      const page = await service.listClusters(
        {
          categories: input.categories,
          states: input.states,
          q: input.q,
          limit: input.limit,
          cursor: input.cursor,
        },
        { credentials },
      );
      return {
        output: {
          clusters: page.items.map(c =>
            summary(toClusterView(c, supportedVersions)),
          ),
          totalCount: page.totalCount,
          nextCursor: page.nextCursor,
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'get-cluster',
    title: 'Get a Kubernetes cluster',
    description:
      'Everything the portal knows about one registered cluster (no credentials): state and why, Kubernetes version and whether it is supported, nodes, category, owner, labels, connection method, server.',
    attributes: { readOnly: true },
    schema: {
      input: z => z.object({ name: z.string().describe('The cluster name') }),
      output: z => z.object({ cluster: z.object({}).passthrough() }),
    },
    action: async ({ input, credentials }) => {
      const cluster = toClusterView(
        await service.getCluster(input.name, { credentials }),
        supportedVersions,
      );
      return { output: { cluster: cluster as any } };
    },
  });

  actionsRegistry.register({
    name: 'register-cluster',
    title: 'Register a Kubernetes cluster',
    description:
      'Registers an isolated (air-gapped) cluster at once. A cluster with an endpoint needs a credential, which must not pass through an agent: for it the action registers nothing and returns `completeAt`, a link to the registration page prefilled with everything but the credential, where a person enters it and verifies the cluster.',
    attributes: { destructive: false, idempotent: false },
    schema: {
      input: z =>
        z.object({
          name: z.string().describe('DNS-1123 label, unique, cannot change'),
          title: z.string().optional(),
          description: z.string().optional(),
          category: z.string().optional(),
          owner: z.string().optional().describe('e.g. group:default/platform'),
          labels: z.record(z.string()).optional(),
          isolated: z
            .boolean()
            .default(false)
            .describe('true: an air-gapped cluster without endpoint'),
          serverUrl: z
            .string()
            .optional()
            .describe('https:// URL of the API server (not isolated)'),
          connection: z
            .object({
              method: z.enum(['direct', 'proxy', 'sshTunnel']),
              proxyUrl: z
                .string()
                .optional()
                .describe('proxy: http:// or https:// URL of the proxy'),
              proxyUsername: z.string().optional(),
              sshHost: z.string().optional().describe('sshTunnel: the bastion'),
              sshPort: z.number().int().optional(),
              sshUsername: z.string().optional(),
              sshHostKeys: z
                .array(z.string())
                .optional()
                .describe(
                  "sshTunnel: the bastion's host keys to pin (SHA256: fingerprints, public-key or known_hosts lines)",
                ),
            })
            .optional()
            .describe(
              'How the portal reaches the API server (not isolated): directly, through an HTTP proxy or an SSH bastion. No passwords or keys: the person completing the registration enters them.',
            ),
        }),
      output: z =>
        z.object({
          registered: z.boolean(),
          cluster: z.object({}).passthrough().optional(),
          completeAt: z
            .string()
            .optional()
            .describe('where a person enters the credential and registers'),
          message: z.string(),
        }),
    },
    action: async ({ input, credentials }) => {
      if (!input.isolated) {
        // Checked like a registration (except the credential), so the link
        // leads to a form that can succeed.
        const { labels, connection, ...rest } = input;
        await service.checkRegistration(
          parse(createClusterSchema, {
            ...rest,
            labels,
            isolated: false,
            auth: { type: 'bearerToken', token: 'checked-later' },
            connection: connection && checkableConnection(connection),
            skipVerification: true,
          }),
          { credentials },
        );
        const query = new URLSearchParams(
          Object.entries({
            ...rest,
            isolated: undefined,
            ...(connection && connection.method !== 'direct'
              ? {
                  connectionMethod: connection.method,
                  ...connection,
                  method: undefined,
                  sshPort: connection.sshPort?.toString(),
                  sshHostKeys: connection.sshHostKeys?.join('\n'),
                }
              : {}),
          }).filter((e): e is [string, string] => typeof e[1] === 'string'),
        );
        if (labels) {
          query.set(
            'labels',
            Object.entries(labels)
              .map(([k, v]) => `${k}=${v}`)
              .join(', '),
          );
        }
        const completeAt = `${appBaseUrl ?? ''}/clusters/register?${query}`;
        return {
          output: {
            registered: false,
            completeAt,
            message: `Nothing is registered yet: a cluster with an endpoint needs a credential, which a person enters at ${completeAt}`,
          },
        };
      }
      const body = parse(createClusterSchema, {
        ...input,
        serverUrl: undefined,
      });
      // Audited and announced by the service, like every other entry point.
      const record = await service.register(body, { credentials });
      return {
        output: {
          registered: true,
          cluster: summary(toClusterView(record, supportedVersions)) as any,
          message: `Registered the isolated cluster ${record.name}`,
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'assign-cluster-category',
    title: 'Assign a category to a cluster',
    description:
      'Moves a registered cluster into a category (prod, qa, dev…), or out of any category with null. The category must exist.',
    attributes: { destructive: false, idempotent: true },
    schema: {
      input: z =>
        z.object({
          name: z.string().describe('The cluster name'),
          category: z.string().nullable().describe('A category name, or null'),
        }),
      output: z => z.object({ cluster: z.object({}).passthrough() }),
    },
    action: async ({ input, credentials }) => {
      const changes = parse(updateClusterSchema, { category: input.category });
      return clusterOutput(
        await service.update(input.name, changes, { credentials }),
      );
    },
  });

  actionsRegistry.register({
    name: 'refresh-cluster',
    title: 'Re-check a cluster now',
    description:
      'Runs the health check of one cluster now (reachability, version, what the credentials may do) and returns its new state.',
    attributes: { destructive: false, idempotent: true },
    schema: {
      input: z => z.object({ name: z.string().describe('The cluster name') }),
      output: z => z.object({ cluster: z.object({}).passthrough() }),
    },
    action: async ({ input, credentials }) => {
      return clusterOutput(await service.refresh(input.name, { credentials }));
    },
  });

  // Creating at a provider needs no secret: the portal's AWS configuration
  // creates, and the provision permission decides who may ask.
  actionsRegistry.register({
    name: 'create-eks-cluster',
    title: 'Create an EKS cluster',
    description:
      "Creates an Amazon EKS cluster with the portal's AWS configuration and registers it in the cluster registry once it answers. Everything is validated first; the cluster is listed at once in state provisioning, and get-cluster-provisioning shows its steps. Needs the cluster-registry.cluster.provision permission.",
    attributes: { destructive: false, idempotent: false, readOnly: false },
    schema: {
      input: z =>
        z.object({
          name: z
            .string()
            .describe('Cluster name: a DNS-1123 label, also its EKS name'),
          title: z.string().optional(),
          description: z.string().optional(),
          category: z.string().optional().describe('prod, qa, dev, ...'),
          owner: z.string().optional().describe('e.g. group:default/platform'),
          region: z.string().describe('An AWS region the portal allows'),
          vpcCidr: z.string().describe('IPv4 block of the new VPC, /16 to /24'),
          kubernetesVersion: z
            .string()
            .describe('e.g. 1.34; only versions the portal offers'),
          availabilityZones: z.array(z.string()).optional(),
          authenticationMode: z
            .enum(['API', 'API_AND_CONFIG_MAP', 'CONFIG_MAP'])
            .optional()
            .describe(
              'API (recommended, the default), API_AND_CONFIG_MAP or CONFIG_MAP',
            ),
          irsa: z.boolean().optional(),
          endpointPublicAccess: z.boolean().optional(),
          endpointPrivateAccess: z.boolean().optional(),
          publicAccessCidrs: z.array(z.string()).optional(),
          privateAccessCidrs: z.array(z.string()).optional(),
          team: z.string().optional(),
          environment: z.string().optional(),
        }),
      output: z =>
        z.object({
          cluster: z.object({}).passthrough(),
          requestId: z.string(),
          steps: z.array(z.string()),
          url: z.string().optional(),
        }),
    },
    action: async ({ input, credentials }) => {
      const { name, title, description, category, owner, ...eks } = input;
      const request = parse(provisionClusterSchema, {
        name,
        title,
        description,
        category,
        owner,
        provider: 'eks',
        eks,
      });
      const accepted = await service.provision(request, { credentials });
      return {
        output: {
          ...clusterOutput(accepted.cluster).output,
          requestId: accepted.request.id,
          steps: accepted.request.steps.map(s => s.title),
          url: appBaseUrl ? clusterPageUrl(appBaseUrl, name) : undefined,
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'get-cluster-provisioning',
    title: "Show how a cluster's creation or deletion goes",
    description:
      'The steps of the latest request that created (or is deleting) a cluster at its provider, each with its state, message and, for a failed one, the error and what to do.',
    attributes: { destructive: false, idempotent: true, readOnly: true },
    schema: {
      input: z => z.object({ name: z.string().describe('The cluster name') }),
      output: z => z.object({ request: z.object({}).passthrough() }),
    },
    action: async ({ input, credentials }) => ({
      output: {
        request: toProvisioningView(
          await service.getProvisioning(input.name, { credentials }),
        ) as any,
      },
    }),
  });
}
