import {
  clusterEntityRef,
  clusterPageUrl,
  EKS_AUTHENTICATION_MODES,
  ProvisionClusterRequest,
  ProvisioningRequest,
} from '@cluster-registry/plugin-cluster-registry-common';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { ClusterRegistryService } from '@cluster-registry/plugin-cluster-registry-node';
import { examples } from './createEks.examples';

/** A template renders a parameter the user left empty as "": not given. */
const given = <T>(value: T | '' | undefined) =>
  value === '' || value === undefined ? undefined : value;
const list = (values?: string[]) => {
  const kept = values?.filter(Boolean);
  return kept?.length ? kept : undefined;
};

/** Why a request failed: its failed step, AWS's error and what to do. */
function failureOf(request: ProvisioningRequest): string {
  const step = request.steps.find(s => s.state === 'failed');
  if (!step) return `the ${request.operation} failed`;
  const { error } = step;
  return `"${step.title}" failed: ${
    error?.message ?? step.message ?? 'no reason given'
  }${error?.hint ? ` (${error.hint})` : ''}`;
}

/**
 * cluster-registry:eks:create — asks the cluster registry to create an EKS
 * cluster with the portal's AWS configuration, on behalf of the user who
 * started the task (the provision permission applies). It answers with the
 * cluster's name and page right after submitting; the submission is
 * checkpointed and carries an idempotency key made of the task id, so a
 * retried or recovered task never creates twice. With `waitUntilReady` it
 * polls the registry until the cluster runs (or fails, or the timeout ends).
 *
 * @public
 */
export function createEksClusterAction(options: {
  registry: ClusterRegistryService;
  appBaseUrl: string;
  /** How often `waitUntilReady` asks (default 10 s). */
  pollIntervalMs?: number;
}) {
  const { registry, appBaseUrl } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 10_000;
  return createTemplateAction({
    id: 'cluster-registry:eks:create',
    description:
      "Creates an Amazon EKS cluster with the portal's AWS configuration and registers it in the cluster registry once it answers (usable in the Kubernetes plugin and the catalog). Returns at once, or waits with waitUntilReady.",
    examples,
    schema: {
      input: {
        name: z =>
          z
            .string()
            .describe('Cluster name: a DNS-1123 label, also its EKS name'),
        title: z => z.string().optional(),
        description: z => z.string().optional(),
        category: z => z.string().optional().describe('prod, qa, dev, ...'),
        owner: z =>
          z.string().optional().describe('e.g. group:default/platform'),
        labels: z => z.record(z.string()).optional(),
        region: z => z.string().describe('An AWS region the portal allows'),
        vpcCidr: z =>
          z.string().describe('IPv4 block of the new VPC, /16 to /24'),
        availabilityZones: z =>
          z
            .array(z.string())
            .optional()
            .describe(
              'At least two zones of the region (default: the first three)',
            ),
        kubernetesVersion: z =>
          z.string().describe('A version the portal offers, e.g. 1.34'),
        authenticationMode: z =>
          z
            .enum(EKS_AUTHENTICATION_MODES)
            .optional()
            .describe('API (recommended), API_AND_CONFIG_MAP or CONFIG_MAP'),
        irsa: z =>
          z
            .boolean()
            .optional()
            .describe('IAM roles for service accounts (default true)'),
        endpointPublicAccess: z => z.boolean().optional(),
        endpointPrivateAccess: z => z.boolean().optional(),
        publicAccessCidrs: z => z.array(z.string()).optional(),
        privateAccessCidrs: z =>
          z
            .array(z.string())
            .optional()
            .describe(
              'Allowed to reach the private endpoint (a security group on 443)',
            ),
        team: z => z.string().optional().describe('Tagged team'),
        environment: z => z.string().optional().describe('Tagged environment'),
        waitUntilReady: z =>
          z.boolean().optional().describe('Wait until the cluster is running'),
        timeoutMinutes: z =>
          z
            .number()
            .min(1)
            .max(120)
            .optional()
            .describe('How long to wait (default 30)'),
      },
      output: {
        name: z => z.string(),
        requestId: z => z.string(),
        clusterUrl: z =>
          z.string().describe("The cluster's page: its progress"),
        entityRef: z => z.string(),
        endpoint: z => z.string().optional(),
        arn: z => z.string().optional(),
        oidcIssuer: z => z.string().optional(),
      },
    },
    async handler(ctx) {
      const input = ctx.input;
      const credentials = await ctx.getInitiatorCredentials();
      const request: ProvisionClusterRequest = {
        name: input.name,
        title: given(input.title),
        description: given(input.description),
        category: given(input.category),
        owner: given(input.owner),
        labels: input.labels,
        provider: 'eks',
        // The same task asking again gets the same request.
        idempotencyKey: `scaffolder:${ctx.task.id}:${input.name}`,
        eks: {
          region: input.region,
          vpcCidr: input.vpcCidr,
          availabilityZones: list(input.availabilityZones),
          kubernetesVersion: input.kubernetesVersion,
          authenticationMode: given(input.authenticationMode),
          irsa: input.irsa,
          endpointPublicAccess: input.endpointPublicAccess,
          endpointPrivateAccess: input.endpointPrivateAccess,
          publicAccessCidrs: list(input.publicAccessCidrs),
          privateAccessCidrs: list(input.privateAccessCidrs),
          team: given(input.team),
          environment: given(input.environment),
        },
      };
      const submitted = await ctx.checkpoint({
        key: `cluster-registry-eks-create-${input.name}`,
        fn: async () => {
          const accepted = await registry.provisionCluster(request, {
            credentials,
          });
          return {
            name: accepted.cluster.name,
            requestId: accepted.request.id,
          };
        },
      });
      const clusterUrl = clusterPageUrl(appBaseUrl, submitted.name);
      ctx.output('name', submitted.name);
      ctx.output('requestId', submitted.requestId);
      ctx.output('clusterUrl', clusterUrl);
      ctx.output('entityRef', clusterEntityRef(submitted.name));
      ctx.logger.info(
        `EKS cluster ${submitted.name} requested; progress: ${clusterUrl}`,
      );
      if (!input.waitUntilReady) return;

      const deadline = Date.now() + (input.timeoutMinutes ?? 30) * 60_000;
      let last = '';
      for (;;) {
        const progress = await registry.getProvisioning(submitted.name, {
          credentials,
        });
        const step = progress.steps.find(s => s.id === progress.currentStep);
        const now = step
          ? `${step.title}: ${step.message ?? step.state}`
          : progress.state;
        if (now !== last) ctx.logger.info(now);
        last = now;
        if (progress.state === 'succeeded') {
          ctx.output('endpoint', progress.outputs?.endpoint);
          ctx.output('arn', progress.outputs?.arn);
          ctx.output('oidcIssuer', progress.outputs?.oidcIssuer);
          ctx.logger.info(
            `EKS cluster ${submitted.name} is running and registered`,
          );
          return;
        }
        if (progress.state === 'failed')
          throw new InputError(
            `EKS cluster ${submitted.name}: ${failureOf(
              progress,
            )}; see ${clusterUrl}`,
          );
        if (Date.now() > deadline)
          throw new InputError(
            `EKS cluster ${submitted.name} is still being created after ${
              input.timeoutMinutes ?? 30
            } minutes (${now}); it goes on: see ${clusterUrl}`,
          );
        if (ctx.signal?.aborted)
          throw new Error(
            'the task was cancelled; the cluster is still being created',
          );
        await new Promise(resolve => setTimeout(resolve, pollIntervalMs));
      }
    },
  });
}
