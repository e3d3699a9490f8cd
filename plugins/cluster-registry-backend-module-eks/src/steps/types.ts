import type { ParsedEksClusterSpec } from '@cluster-registry/plugin-cluster-registry-common';
import type { ProvisioningContext } from '@cluster-registry/plugin-cluster-registry-node';
import type { AwsClients } from '../aws';
import type { EksSettings } from '../settings';

/** The stored spec: the request's, with the zones chosen at validation. */
export interface EksSpec extends ParsedEksClusterSpec {
  availabilityZones: string[];
}

export interface SubnetRecord {
  id: string;
  zone: string;
  cidr: string;
  tier: 'public' | 'private';
}

/** What the steps record (all optional: a step fills in its part). */
export interface EksResources {
  account?: string;
  partition?: string;
  vpcId?: string;
  subnets?: SubnetRecord[];
  internetGatewayId?: string;
  routeTableId?: string;
  securityGroupId?: string;
  clusterRoleName?: string;
  clusterRoleArn?: string;
  clusterArn?: string;
  clusterCreatedAt?: string;
  oidcProviderArn?: string;
  accessEntries?: string[];
  awsAuthMapped?: boolean;
  /** Set by the registry on a delete request: the create request, whose tag marks what it made. */
  createRequestId?: string;
}

/** What every step gets. */
export interface StepContext {
  ctx: ProvisioningContext<EksSpec>;
  spec: EksSpec;
  resources: EksResources;
  clients: AwsClients;
  settings: EksSettings;
  tags: Record<string, string>;
  /** The request that created what is looked up: the create request's id, also when deleting. */
  owner: string;
}
