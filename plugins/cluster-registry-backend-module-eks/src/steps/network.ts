import {
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteInternetGatewayCommand,
  DeleteRouteTableCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeInternetGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
  DisassociateRouteTableCommand,
  Filter,
  ModifySubnetAttributeCommand,
  ModifyVpcAttributeCommand,
  ResourceType,
} from '@aws-sdk/client-ec2';
import {
  EKS_SUBNETS_PER_ZONE,
  formatIpv4Cidr,
  parseIpv4Cidr,
  splitIpv4Block,
  Ipv4Block,
} from '@cluster-registry/plugin-cluster-registry-common';
import {
  ProvisioningStepError,
  ProvisioningStepOutcome,
} from '@cluster-registry/plugin-cluster-registry-node';
import { aws, isAwsError, stepErrorOf } from '../aws';
import { REQUEST_TAG, tagList } from '../tags';
import { StepContext, SubnetRecord } from './types';

const TIER_TAG = 'cluster-registry.backstage.io/tier';

/** What the request made: its tag as a filter. */
const mine = (requestId: string, ...more: Filter[]): Filter[] => [
  { Name: `tag:${REQUEST_TAG}`, Values: [requestId] },
  ...more,
];

const spec = (type: ResourceType, tags: Record<string, string>) => [
  { ResourceType: type, Tags: tagList(tags) },
];

/**
 * The subnets of a plan: per zone, one public and one private, equal
 * blocks cut from the start of the VPC's block (validated to fit).
 */
export function subnetPlan(
  vpcCidr: string,
  zones: string[],
): Array<Omit<SubnetRecord, 'id'>> {
  const blocks = splitIpv4Block(
    parseIpv4Cidr(vpcCidr) as Ipv4Block,
    zones.length * EKS_SUBNETS_PER_ZONE,
  )!;
  return zones.flatMap((zone, i) => [
    { zone, tier: 'public' as const, cidr: formatIpv4Cidr(blocks[2 * i]) },
    { zone, tier: 'private' as const, cidr: formatIpv4Cidr(blocks[2 * i + 1]) },
  ]);
}

/**
 * VPC with DNS, a public and a private subnet per zone, an internet gateway
 * with the public subnets' route table, and the security group for private
 * access CIDRs. Each piece is looked up by the request's tag first. No NAT
 * gateway: the portal creates no node groups, and a NAT gateway costs money
 * from the minute it exists.
 */
export async function ensureNetwork(
  s: StepContext,
): Promise<ProvisioningStepOutcome> {
  const { clients, ctx, tags } = s;
  const { ec2 } = clients;
  const id = s.owner;
  const name = (what: string) => ({
    ...tags,
    Name: `${ctx.clusterName}-${what}`,
  });

  let vpcId = s.resources.vpcId;
  if (!vpcId) {
    const found = await aws(
      () => ec2.send(new DescribeVpcsCommand({ Filters: mine(id) })),
      'look for the VPC (ec2:DescribeVpcs)',
    );
    vpcId = found.Vpcs?.[0]?.VpcId;
  }
  if (!vpcId) {
    const created = await aws(
      () =>
        ec2.send(
          new CreateVpcCommand({
            CidrBlock: s.spec.vpcCidr,
            TagSpecifications: spec('vpc', name('vpc')),
          }),
        ),
      'create the VPC (ec2:CreateVpc)',
    );
    vpcId = created.Vpc!.VpcId!;
  }
  // EKS needs both; setting them again is harmless.
  for (const attribute of [
    { EnableDnsSupport: { Value: true } },
    { EnableDnsHostnames: { Value: true } },
  ])
    await aws(
      () =>
        ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, ...attribute })),
      'turn on DNS in the VPC (ec2:ModifyVpcAttribute)',
    );

  const existing = await aws(
    () =>
      ec2.send(
        new DescribeSubnetsCommand({
          Filters: mine(id, { Name: 'vpc-id', Values: [vpcId!] }),
        }),
      ),
    'look for the subnets (ec2:DescribeSubnets)',
  );
  const subnets: SubnetRecord[] = [];
  for (const planned of subnetPlan(s.spec.vpcCidr, s.spec.availabilityZones)) {
    let subnetId = existing.Subnets?.find(
      x => x.CidrBlock === planned.cidr && x.AvailabilityZone === planned.zone,
    )?.SubnetId;
    if (!subnetId) {
      const created = await aws(
        () =>
          ec2.send(
            new CreateSubnetCommand({
              VpcId: vpcId,
              CidrBlock: planned.cidr,
              AvailabilityZone: planned.zone,
              TagSpecifications: spec('subnet', {
                ...name(`${planned.tier}-${planned.zone}`),
                [TIER_TAG]: planned.tier,
                // Where Kubernetes load balancers go.
                [planned.tier === 'public'
                  ? 'kubernetes.io/role/elb'
                  : 'kubernetes.io/role/internal-elb']: '1',
              }),
            }),
          ),
        `create the ${planned.tier} subnet ${planned.cidr} in ${planned.zone} (ec2:CreateSubnet)`,
      );
      subnetId = created.Subnet!.SubnetId!;
    }
    subnets.push({ ...planned, id: subnetId });
  }

  let igwId = s.resources.internetGatewayId;
  if (!igwId) {
    const found = await aws(
      () =>
        ec2.send(new DescribeInternetGatewaysCommand({ Filters: mine(id) })),
      'look for the internet gateway (ec2:DescribeInternetGateways)',
    );
    const igw = found.InternetGateways?.[0];
    igwId = igw?.InternetGatewayId;
    if (igw && !igw.Attachments?.some(a => a.VpcId === vpcId))
      await aws(
        () =>
          ec2.send(
            new AttachInternetGatewayCommand({
              InternetGatewayId: igwId,
              VpcId: vpcId,
            }),
          ),
        'attach the internet gateway (ec2:AttachInternetGateway)',
      );
  }
  if (!igwId) {
    const created = await aws(
      () =>
        ec2.send(
          new CreateInternetGatewayCommand({
            TagSpecifications: spec('internet-gateway', name('igw')),
          }),
        ),
      'create the internet gateway (ec2:CreateInternetGateway)',
    );
    igwId = created.InternetGateway!.InternetGatewayId!;
    await aws(
      () =>
        ec2.send(
          new AttachInternetGatewayCommand({
            InternetGatewayId: igwId,
            VpcId: vpcId,
          }),
        ),
      'attach the internet gateway (ec2:AttachInternetGateway)',
    );
  }

  const tables = await aws(
    () => ec2.send(new DescribeRouteTablesCommand({ Filters: mine(id) })),
    'look for the route table (ec2:DescribeRouteTables)',
  );
  let table = tables.RouteTables?.[0];
  if (!table) {
    const created = await aws(
      () =>
        ec2.send(
          new CreateRouteTableCommand({
            VpcId: vpcId,
            TagSpecifications: spec('route-table', name('public')),
          }),
        ),
      'create the public route table (ec2:CreateRouteTable)',
    );
    table = created.RouteTable!;
  }
  const routeTableId = table.RouteTableId!;
  if (!table.Routes?.some(r => r.DestinationCidrBlock === '0.0.0.0/0'))
    await aws(
      () =>
        ec2.send(
          new CreateRouteCommand({
            RouteTableId: routeTableId,
            DestinationCidrBlock: '0.0.0.0/0',
            GatewayId: igwId,
          }),
        ),
      'route the public subnets to the internet gateway (ec2:CreateRoute)',
    );
  for (const subnet of subnets.filter(x => x.tier === 'public')) {
    if (!table.Associations?.some(a => a.SubnetId === subnet.id))
      await aws(
        () =>
          ec2.send(
            new AssociateRouteTableCommand({
              RouteTableId: routeTableId,
              SubnetId: subnet.id,
            }),
          ),
        `use the public route table in ${subnet.id} (ec2:AssociateRouteTable)`,
      );
    await aws(
      () =>
        ec2.send(
          new ModifySubnetAttributeCommand({
            SubnetId: subnet.id,
            MapPublicIpOnLaunch: { Value: true },
          }),
        ),
      `give public addresses in ${subnet.id} (ec2:ModifySubnetAttribute)`,
    );
  }

  let securityGroupId = s.resources.securityGroupId;
  if (s.spec.privateAccessCidrs?.length) {
    if (!securityGroupId) {
      const found = await aws(
        () =>
          ec2.send(
            new DescribeSecurityGroupsCommand({
              Filters: mine(id, { Name: 'vpc-id', Values: [vpcId!] }),
            }),
          ),
        'look for the security group (ec2:DescribeSecurityGroups)',
      );
      securityGroupId = found.SecurityGroups?.[0]?.GroupId;
    }
    if (!securityGroupId) {
      const created = await aws(
        () =>
          ec2.send(
            new CreateSecurityGroupCommand({
              GroupName: `${ctx.clusterName}-api-private-access`,
              Description: `HTTPS to the private Kubernetes API endpoint of ${ctx.clusterName}`,
              VpcId: vpcId,
              TagSpecifications: spec(
                'security-group',
                name('api-private-access'),
              ),
            }),
          ),
        'create the security group for private access (ec2:CreateSecurityGroup)',
      );
      securityGroupId = created.GroupId!;
    }
    // Every run, also for a group an earlier attempt made: that attempt may
    // have died before its rule was added.
    try {
      await ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: securityGroupId,
          IpPermissions: [
            {
              IpProtocol: 'tcp',
              FromPort: 443,
              ToPort: 443,
              IpRanges: s.spec.privateAccessCidrs.map(CidrIp => ({
                CidrIp,
                Description: 'Kubernetes API (private endpoint)',
              })),
            },
          ],
        }),
      );
    } catch (e) {
      if (!isAwsError(e, 'InvalidPermission.Duplicate'))
        throw stepErrorOf(
          e,
          'allow HTTPS from the private access CIDRs (ec2:AuthorizeSecurityGroupIngress)',
        );
    }
  }

  return {
    status: 'done',
    message: `VPC ${vpcId} with ${
      subnets.length
    } subnets in ${s.spec.availabilityZones.join(', ')}`,
    resources: {
      vpcId,
      subnets,
      internetGatewayId: igwId,
      routeTableId,
      ...(securityGroupId ? { securityGroupId } : {}),
    },
    outputs: { vpcId, region: clients.region },
  };
}

/**
 * Ignores "already gone"; a dependency EC2 still sees (network interfaces
 * EKS leaves for minutes after the control plane is gone) is tried again.
 */
async function gone(
  call: () => Promise<unknown>,
  doing: string,
  ...missing: string[]
) {
  try {
    await call();
  } catch (e) {
    if (isAwsError(e, ...missing)) return;
    if (isAwsError(e, 'DependencyViolation'))
      throw new ProvisioningStepError(
        `could not ${doing}: DependencyViolation: ${(e as Error).message}`,
        {
          code: 'DependencyViolation',
          retryable: true,
          hint: 'EKS removes its network interfaces a few minutes after the control plane; tried again',
        },
      );
    throw stepErrorOf(e, doing);
  }
}

/**
 * Deletes the network in the order EC2 allows (a VPC goes last, once
 * nothing is in it): the VPC the request recorded or tagged, and inside it
 * only what carries the request's tag (a tag alone could be put on anyone's
 * resource).
 */
export async function deleteNetwork(
  s: StepContext,
): Promise<ProvisioningStepOutcome> {
  const { ec2 } = s.clients;
  const id = s.owner;
  const vpcs = await aws(
    () => ec2.send(new DescribeVpcsCommand({ Filters: mine(id) })),
    'look for the VPC (ec2:DescribeVpcs)',
  );
  const vpcIds = (vpcs.Vpcs ?? [])
    .map(v => v.VpcId!)
    .filter(v => !s.resources.vpcId || v === s.resources.vpcId);
  for (const vpcId of vpcIds) {
    const inVpc = mine(id, { Name: 'vpc-id', Values: [vpcId] });
    const groups = await aws(
      () => ec2.send(new DescribeSecurityGroupsCommand({ Filters: inVpc })),
      'look for the security group (ec2:DescribeSecurityGroups)',
    );
    for (const g of groups.SecurityGroups ?? [])
      await gone(
        () => ec2.send(new DeleteSecurityGroupCommand({ GroupId: g.GroupId })),
        `delete security group ${g.GroupId} (ec2:DeleteSecurityGroup)`,
        'InvalidGroup.NotFound',
      );
    const tables = await aws(
      () => ec2.send(new DescribeRouteTablesCommand({ Filters: inVpc })),
      'look for the route table (ec2:DescribeRouteTables)',
    );
    for (const t of tables.RouteTables ?? []) {
      for (const a of t.Associations ?? [])
        if (!a.Main && a.RouteTableAssociationId)
          await gone(
            () =>
              ec2.send(
                new DisassociateRouteTableCommand({
                  AssociationId: a.RouteTableAssociationId,
                }),
              ),
            'take the route table from its subnets (ec2:DisassociateRouteTable)',
            'InvalidAssociationID.NotFound',
          );
      await gone(
        () =>
          ec2.send(
            new DeleteRouteTableCommand({ RouteTableId: t.RouteTableId }),
          ),
        `delete route table ${t.RouteTableId} (ec2:DeleteRouteTable)`,
        'InvalidRouteTableID.NotFound',
      );
    }
    const gateways = await aws(
      () =>
        ec2.send(
          new DescribeInternetGatewaysCommand({
            Filters: mine(id, { Name: 'attachment.vpc-id', Values: [vpcId] }),
          }),
        ),
      'look for the internet gateway (ec2:DescribeInternetGateways)',
    );
    for (const g of gateways.InternetGateways ?? []) {
      await gone(
        () =>
          ec2.send(
            new DetachInternetGatewayCommand({
              InternetGatewayId: g.InternetGatewayId,
              VpcId: vpcId,
            }),
          ),
        'detach the internet gateway (ec2:DetachInternetGateway)',
        'Gateway.NotAttached',
        'InvalidInternetGatewayID.NotFound',
      );
      await gone(
        () =>
          ec2.send(
            new DeleteInternetGatewayCommand({
              InternetGatewayId: g.InternetGatewayId,
            }),
          ),
        `delete internet gateway ${g.InternetGatewayId} (ec2:DeleteInternetGateway)`,
        'InvalidInternetGatewayID.NotFound',
      );
    }
    const subnets = await aws(
      () => ec2.send(new DescribeSubnetsCommand({ Filters: inVpc })),
      'look for the subnets (ec2:DescribeSubnets)',
    );
    for (const subnet of subnets.Subnets ?? [])
      await gone(
        () => ec2.send(new DeleteSubnetCommand({ SubnetId: subnet.SubnetId })),
        `delete subnet ${subnet.SubnetId} (ec2:DeleteSubnet)`,
        'InvalidSubnetID.NotFound',
      );
    await gone(
      () => ec2.send(new DeleteVpcCommand({ VpcId: vpcId })),
      `delete VPC ${vpcId} (ec2:DeleteVpc)`,
      'InvalidVpcID.NotFound',
    );
  }
  return {
    status: 'done',
    message: `deleted VPC ${
      vpcIds.join(', ') || '(none left)'
    }, its subnets, gateway, route table and security group`,
  };
}
