import { DescribeAvailabilityZonesCommand } from '@aws-sdk/client-ec2';
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { ConflictError, ServiceUnavailableError } from '@backstage/errors';
import {
  EKS_DEFAULT_ZONE_COUNT,
  EKS_MIN_ZONES,
  eksClusterSpecSchema,
  FieldIssue,
  ProvisionerInfo,
} from '@cluster-registry/plugin-cluster-registry-common';
import {
  ClusterProvisioner,
  invalidSpec,
  ProvisioningContext,
  ProvisioningOperation,
  ProvisioningStepOutcome,
  ProvisioningStepPlan,
} from '@cluster-registry/plugin-cluster-registry-node';
import { AwsClientFactory, isAwsError } from './aws';
import { EksSettings } from './settings';
import { ensureAccess } from './steps/access';
import { deleteControlPlane, ensureControlPlane } from './steps/controlPlane';
import { deleteIam, ensureIam } from './steps/iam';
import { deleteIrsa, ensureIrsa } from './steps/irsa';
import { deleteNetwork, ensureNetwork } from './steps/network';
import { EksResources, EksSpec, StepContext } from './steps/types';
import { tagsOf } from './tags';

type Step = (s: StepContext) => Promise<ProvisioningStepOutcome>;

const CREATE: Array<ProvisioningStepPlan & { run: Step }> = [
  {
    id: 'network',
    title: 'Network: VPC, subnets, gateway',
    run: ensureNetwork,
  },
  { id: 'iam', title: 'IAM: the control plane role', run: ensureIam },
  { id: 'control-plane', title: 'EKS control plane', run: ensureControlPlane },
  {
    id: 'irsa',
    title: 'IAM roles for service accounts (OIDC provider)',
    run: ensureIrsa,
  },
  { id: 'access', title: "Access for the portal's role", run: ensureAccess },
];

const DELETE: Array<ProvisioningStepPlan & { run: Step }> = [
  {
    id: 'control-plane',
    title: 'Delete the EKS control plane',
    run: deleteControlPlane,
  },
  { id: 'irsa', title: 'Delete the OIDC provider', run: deleteIrsa },
  { id: 'iam', title: 'Delete the control plane role', run: deleteIam },
  { id: 'network', title: 'Delete the network', run: deleteNetwork },
];

/**
 * Creates EKS clusters with the AWS SDK: network, IAM role, control plane,
 * IRSA and access, each step idempotent (found by the request's tag or a
 * name derived from it before anything is created); deletes in reverse
 * order only what carries the create request's tag.
 */
export class EksProvisioner implements ClusterProvisioner<EksSpec> {
  readonly id = 'eks';

  constructor(
    private readonly settings: EksSettings,
    private readonly clients: AwsClientFactory,
  ) {}

  info(): ProvisionerInfo {
    return {
      id: this.id,
      title: 'Amazon EKS',
      eks: {
        regions: this.settings.regions,
        defaultRegion: this.settings.defaultRegion,
        kubernetesVersions: this.settings.kubernetesVersions,
        defaultKubernetesVersion: this.settings.defaultKubernetesVersion,
      },
    };
  }

  async validate(request: {
    clusterName: string;
    spec: unknown;
  }): Promise<EksSpec> {
    const parsed = eksClusterSpecSchema.safeParse(request.spec ?? {});
    if (!parsed.success)
      throw invalidSpec(
        parsed.error.issues.map(i => ({
          field: i.path.join('.') || 'eks',
          reason: i.message,
        })),
      );
    const spec = parsed.data;
    // What the configuration allows: checked before any call to AWS.
    const issues: FieldIssue[] = [];
    if (!this.settings.regions.includes(spec.region))
      issues.push({
        field: 'region',
        reason: `is not a region this portal creates clusters in (${this.settings.regions.join(
          ', ',
        )})`,
      });
    if (!this.settings.kubernetesVersions.includes(spec.kubernetesVersion))
      issues.push({
        field: 'kubernetesVersion',
        reason: `is not a version this portal offers (${this.settings.kubernetesVersions.join(
          ', ',
        )})`,
      });
    if (issues.length) throw invalidSpec(issues);

    // Reads at AWS: which zones exist, whether the name is free.
    const clients = await this.clients.forRegion(spec.region);
    let available: string[];
    try {
      const zones = await clients.ec2.send(
        new DescribeAvailabilityZonesCommand({
          Filters: [
            { Name: 'region-name', Values: [spec.region] },
            { Name: 'state', Values: ['available'] },
            { Name: 'zone-type', Values: ['availability-zone'] },
          ],
        }),
      );
      available = (zones.AvailabilityZones ?? [])
        .map(z => z.ZoneName!)
        .filter(Boolean)
        .sort();
    } catch (e) {
      throw new ServiceUnavailableError(
        `could not ask AWS which zones ${
          spec.region
        } has (ec2:DescribeAvailabilityZones): ${(e as Error).message}`,
      );
    }
    let zones = spec.availabilityZones;
    if (zones) {
      const missing = zones
        .map((zone, i) => ({ zone, i }))
        .filter(({ zone }) => !available.includes(zone));
      if (missing.length)
        throw invalidSpec(
          missing.map(({ zone, i }) => ({
            field: `availabilityZones.${i}`,
            reason: `${zone} is not an available zone of ${
              spec.region
            } (${available.join(', ')})`,
          })),
        );
    } else {
      zones = available.slice(0, EKS_DEFAULT_ZONE_COUNT);
      if (zones.length < EKS_MIN_ZONES)
        throw invalidSpec([
          {
            field: 'region',
            reason: `has fewer than ${EKS_MIN_ZONES} available zones`,
          },
        ]);
    }
    try {
      await clients.eks.send(
        new DescribeClusterCommand({ name: request.clusterName }),
      );
      throw new ConflictError(
        `name: an EKS cluster named ${request.clusterName} already exists in ${spec.region}`,
      );
    } catch (e) {
      if (e instanceof ConflictError) throw e;
      if (!isAwsError(e, 'ResourceNotFoundException'))
        throw new ServiceUnavailableError(
          `could not ask EKS whether ${
            request.clusterName
          } exists (eks:DescribeCluster): ${(e as Error).message}`,
        );
    }
    return { ...spec, availabilityZones: zones };
  }

  plan(
    operation: ProvisioningOperation,
    spec: EksSpec,
  ): ProvisioningStepPlan[] {
    const steps = operation === 'create' ? CREATE : DELETE;
    return steps
      .filter(s => s.id !== 'irsa' || spec.irsa !== false)
      .map(({ id, title }) => ({ id, title }));
  }

  async reconcile(
    ctx: ProvisioningContext<EksSpec>,
  ): Promise<ProvisioningStepOutcome> {
    const steps = ctx.operation === 'create' ? CREATE : DELETE;
    const step = steps.find(s => s.id === ctx.step);
    if (!step)
      throw new Error(
        `the EKS provisioner has no ${ctx.operation} step '${ctx.step}'`,
      );
    const resources = ctx.resources as EksResources;
    const owner = resources.createRequestId ?? ctx.requestId;
    return step.run({
      ctx,
      spec: ctx.spec,
      resources,
      clients: await this.clients.forRegion(ctx.spec.region),
      settings: this.settings,
      owner,
      tags: tagsOf({
        requestId: owner,
        clusterName: ctx.clusterName,
        requestedBy: ctx.requestedBy,
        team: ctx.spec.team,
        environment: ctx.spec.environment,
        defaultTags: this.settings.defaultTags,
      }),
    });
  }
}
