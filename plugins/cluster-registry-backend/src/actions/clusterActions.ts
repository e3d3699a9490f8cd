import { PermissionsService } from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import {
  CLUSTER_STATES,
  clusterCreatePermission,
  clusterReadPermission,
  createClusterSchema,
} from '@cluster-registry/plugin-cluster-registry-common';
import { ClusterStore } from '../database/types';
import { SupportedVersions } from '../kubernetes/versions';
import { authorizeCredentials } from '../service/authorize';
import { ClusterService } from '../service/ClusterService';
import { parse } from '../service/parse';
import { toClusterView } from '../service/views';

/**
 * The registry's main operations in the backend actions registry (and so for
 * MCP clients through the MCP actions backend), with the same permission
 * checks as the REST API: the caller's credentials decide.
 */
export function registerClusterActions(options: {
  actionsRegistry: ActionsRegistryService;
  permissions: PermissionsService;
  store: ClusterStore;
  service: ClusterService;
  supportedVersions: SupportedVersions;
}) {
  const { actionsRegistry, permissions, store, service, supportedVersions } =
    options;
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
          states: z
            .array(z.enum(CLUSTER_STATES as [string, ...string[]]))
            .optional(),
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
      await authorizeCredentials(
        permissions,
        credentials,
        clusterReadPermission,
      );
      const page = await store.listClusters({
        categories: input.categories,
        states: input.states as any,
        q: input.q,
        limit: input.limit,
        cursor: input.cursor,
      });
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
      await authorizeCredentials(
        permissions,
        credentials,
        clusterReadPermission,
      );
      const cluster = toClusterView(
        await store.getCluster(input.name),
        supportedVersions,
      );
      return { output: { cluster: cluster as any } };
    },
  });

  actionsRegistry.register({
    name: 'register-cluster',
    title: 'Register a Kubernetes cluster',
    description:
      'Registers a cluster by server URL and bearer token (verified against the API server first unless skipVerification), or an isolated (air-gapped) cluster without endpoint. The token is a secret: it is stored encrypted and never returned.',
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
          isolated: z.boolean().default(false),
          serverUrl: z
            .string()
            .optional()
            .describe('https:// URL of the API server'),
          caData: z.string().optional().describe('PEM or base64 PEM of the CA'),
          skipVerification: z.boolean().default(false),
        }),
      secrets: z => z.object({ token: z.string().optional() }),
      output: z => z.object({ cluster: z.object({}).passthrough() }),
    },
    action: async ({ input, secrets, credentials }) => {
      const actor = await authorizeCredentials(
        permissions,
        credentials,
        clusterCreatePermission,
      );
      const { caData, ...rest } = input;
      const body = parse(
        createClusterSchema,
        input.isolated
          ? { ...rest, serverUrl: undefined, skipVerification: undefined }
          : {
              ...rest,
              auth: { type: 'bearerToken', token: secrets?.token },
              tls: caData ? { caData } : undefined,
            },
      );
      // Audited and announced by the service, like every other entry point.
      const record = await service.register(body, { actor });
      return {
        output: {
          cluster: summary(toClusterView(record, supportedVersions)) as any,
        },
      };
    },
  });
}
