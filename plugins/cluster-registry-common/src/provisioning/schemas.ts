import { z } from 'zod';
import type { Same } from '../sameShape';
import type {
  EksClusterSpec,
  ProvisionClusterRequest,
} from '../schema/openapi/generated';
import {
  categoryNameSchema,
  clusterNameSchema,
  labelsSchema,
  ownerSchema,
  titleSchema,
} from '../schemas';
import {
  ipv4BlocksOverlap,
  isPublicIpv4Block,
  parseIpv4Cidr,
  splitIpv4Block,
} from './cidr';

/**
 * The rules of a request to create a cluster at a provider, shared by the
 * Create cluster page (shown at the field) and the backend (enforced before
 * anything is created). What depends on configuration (allowed regions and
 * versions) and on the provider (zones that exist) is checked by the backend.
 */

/** The EKS authentication modes, recommended first. @public */
export const EKS_AUTHENTICATION_MODES = [
  'API',
  'API_AND_CONFIG_MAP',
  'CONFIG_MAP',
] as const;

/** The fewest availability zones an EKS cluster's subnets may span. @public */
export const EKS_MIN_ZONES = 2;

/** Subnets per zone the EKS provisioner cuts from the VPC: one public, one private. @public */
export const EKS_SUBNETS_PER_ZONE = 2;

/** How many zones are picked when none are given (fewer if the region has fewer). @public */
export const EKS_DEFAULT_ZONE_COUNT = 3;

/** AWS tag values: letters, digits, spaces and `_.:/=+-@`, at most 256. */
const tagValueSchema = z
  .string()
  .min(1, 'is required')
  .max(256, 'must be at most 256 characters')
  .regex(
    /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u,
    'may contain only letters, digits, spaces and _.:/=+-@',
  );

/** `eu-west-1`, `us-gov-west-1`, `ap-southeast-4`. */
const regionSchema = z
  .string()
  .min(1, 'is required')
  .max(32, 'must be at most 32 characters')
  .regex(
    /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/,
    'must be an AWS region such as eu-west-1',
  );

const cidrSchema = z
  .string()
  .max(18, 'must be an IPv4 block such as 10.0.0.0/16')
  .superRefine((text, ctx) => {
    const parsed = parseIpv4Cidr(text);
    if ('error' in parsed)
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: parsed.error });
  });

/** Reports, on each later entry, that it overlaps an earlier one of the same list. */
function refuseOverlaps(
  ctx: z.RefinementCtx,
  field: string,
  cidrs: string[] | undefined,
) {
  const blocks = (cidrs ?? []).map(c => parseIpv4Cidr(c));
  blocks.forEach((b, i) => {
    if ('error' in b) return;
    const earlier = blocks.findIndex(
      (o, j) => j < i && !('error' in o) && ipv4BlocksOverlap(o, b),
    );
    if (earlier >= 0)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [field, i],
        message: `overlaps ${cidrs![earlier]}`,
      });
  });
}

/** What an EKS cluster is created with (`eks` of POST /provisioning). @public */
export const eksClusterSpecSchema = z
  .object({
    region: regionSchema,
    vpcCidr: cidrSchema,
    availabilityZones: z
      .array(z.string().max(40, 'is too long'))
      .max(6, 'at most 6 zones')
      .optional(),
    kubernetesVersion: z
      .string()
      .regex(/^1\.\d{1,3}$/, 'must be a Kubernetes minor version such as 1.33'),
    authenticationMode: z.enum(EKS_AUTHENTICATION_MODES).default('API'),
    irsa: z.boolean().default(true),
    endpointPublicAccess: z.boolean().default(true),
    endpointPrivateAccess: z.boolean().default(true),
    publicAccessCidrs: z.array(cidrSchema).max(40).optional(),
    privateAccessCidrs: z.array(cidrSchema).max(40).optional(),
    team: tagValueSchema.optional(),
    environment: tagValueSchema.optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const at = (path: Array<string | number>, message: string) =>
      ctx.addIssue({ code: z.ZodIssueCode.custom, path, message });
    if (!spec.endpointPublicAccess && !spec.endpointPrivateAccess)
      at(
        ['endpointPrivateAccess'],
        'public and private endpoint access cannot both be off: nobody could reach the API server',
      );
    const vpc = parseIpv4Cidr(spec.vpcCidr);
    if (!('error' in vpc)) {
      if (vpc.prefix < 16 || vpc.prefix > 24)
        at(
          ['vpcCidr'],
          'must be a /16 to /24 block (AWS allows /16 to /28 for a VPC; EKS needs room for a subnet per zone and tier)',
        );
      else {
        const zones = spec.availabilityZones?.length || EKS_DEFAULT_ZONE_COUNT;
        if (!splitIpv4Block(vpc, zones * EKS_SUBNETS_PER_ZONE))
          at(
            ['vpcCidr'],
            `is too small for ${
              zones * EKS_SUBNETS_PER_ZONE
            } subnets of at least /28 (${EKS_SUBNETS_PER_ZONE} per zone)`,
          );
      }
    }
    const zones = spec.availabilityZones;
    // Zones are checked against a valid region only.
    if (zones && regionSchema.safeParse(spec.region).success) {
      if (zones.length < EKS_MIN_ZONES)
        at(
          ['availabilityZones'],
          `needs at least ${EKS_MIN_ZONES} zones: EKS spreads its control plane's network interfaces over two or more`,
        );
      zones.forEach((zone, i) => {
        // No pattern is built from the input: the region may be anything here.
        const suffix = zone.startsWith(spec.region)
          ? zone.slice(spec.region.length)
          : '';
        if (!/^[a-z]$/.test(suffix))
          at(
            ['availabilityZones', i],
            `is not a zone of ${spec.region} (such as ${spec.region}a)`,
          );
        else if (zones.indexOf(zone) !== i)
          at(['availabilityZones', i], 'is listed twice');
      });
    }
    spec.publicAccessCidrs?.forEach((cidr, i) => {
      const b = parseIpv4Cidr(cidr);
      if ('error' in b) return;
      if (!spec.endpointPublicAccess)
        at(['publicAccessCidrs', i], 'needs public endpoint access');
      else if (!isPublicIpv4Block(b))
        at(
          ['publicAccessCidrs', i],
          'is not public address space: the public endpoint sees public addresses only (use privateAccessCidrs for networks inside AWS)',
        );
    });
    refuseOverlaps(ctx, 'publicAccessCidrs', spec.publicAccessCidrs);
    spec.privateAccessCidrs?.forEach((cidr, i) => {
      if (!spec.endpointPrivateAccess && !('error' in parseIpv4Cidr(cidr)))
        at(['privateAccessCidrs', i], 'needs private endpoint access');
    });
    refuseOverlaps(ctx, 'privateAccessCidrs', spec.privateAccessCidrs);
  });

/** @public */
export type ParsedEksClusterSpec = z.output<typeof eksClusterSpecSchema>;

/** Body of POST /provisioning. @public */
export const provisionClusterSchema = z
  .object({
    name: clusterNameSchema,
    title: titleSchema.optional(),
    description: z.string().max(4000).optional(),
    category: categoryNameSchema.optional(),
    labels: labelsSchema.default({}),
    owner: ownerSchema.optional(),
    provider: z.enum(['eks']),
    eks: eksClusterSpecSchema.optional(),
    idempotencyKey: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
      .optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.provider === 'eks' && !r.eks)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['eks'],
        message: 'is required to create an EKS cluster',
      });
  });

/** @public */
export type ParsedProvisionCluster = z.output<typeof provisionClusterSchema>;

// The rules accept exactly the OpenAPI document's shapes (compile-time).
const contract: {
  eks: Same<z.input<typeof eksClusterSpecSchema>, EksClusterSpec>;
  provision: Same<
    z.input<typeof provisionClusterSchema>,
    ProvisionClusterRequest
  >;
} = { eks: true, provision: true };
void contract;
