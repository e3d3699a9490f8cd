import {
  EKS_AUTHENTICATION_MODES,
  ProvisionClusterRequest,
} from '@cluster-registry/plugin-cluster-registry-common';
import { DetailsForm, detailsRequest } from '../clusterForm';

/** The EKS part of the Create cluster form, as typed. */
export interface EksForm {
  region: string;
  kubernetesVersion: string;
  vpcCidr: string;
  /** Comma or space separated; empty for the region's first zones. */
  availabilityZones: string;
  authenticationMode: (typeof EKS_AUTHENTICATION_MODES)[number];
  irsa: boolean;
  endpointPublicAccess: boolean;
  endpointPrivateAccess: boolean;
  publicAccessCidrs: string;
  privateAccessCidrs: string;
  team: string;
  environment: string;
}

export const emptyEks: EksForm = {
  region: '',
  kubernetesVersion: '',
  vpcCidr: '10.20.0.0/16',
  availabilityZones: '',
  authenticationMode: 'API',
  irsa: true,
  endpointPublicAccess: true,
  endpointPrivateAccess: true,
  publicAccessCidrs: '',
  privateAccessCidrs: '',
  team: '',
  environment: '',
};

/** What each mode means, recommended first: the form's explanations. */
export const AUTHENTICATION_MODES: Record<
  EksForm['authenticationMode'],
  { label: string; help: string }
> = {
  API: {
    label: 'API (recommended)',
    help: 'Who may use the cluster is managed with EKS access entries, through the AWS API only. The portal gets read access by an access entry.',
  },
  API_AND_CONFIG_MAP: {
    label: 'API and ConfigMap',
    help: 'Access entries and the legacy aws-auth ConfigMap both apply: for tools that still edit aws-auth. You can move to API later.',
  },
  CONFIG_MAP: {
    label: 'ConfigMap (legacy)',
    help: 'Only the aws-auth ConfigMap in kube-system. The portal writes its reader role there. EKS cannot go back from API modes to this one, but this one can move to them.',
  },
};

const list = (text: string) => {
  const items = text.split(/[\s,]+/).filter(Boolean);
  return items.length ? items : undefined;
};
const text = (value: string) => value.trim() || undefined;

/** POST /provisioning body of the form. */
export function eksRequest(
  details: DetailsForm,
  eks: EksForm,
): ProvisionClusterRequest {
  return {
    ...detailsRequest(details),
    provider: 'eks',
    eks: {
      region: eks.region,
      kubernetesVersion: eks.kubernetesVersion,
      vpcCidr: eks.vpcCidr.trim(),
      availabilityZones: list(eks.availabilityZones),
      authenticationMode: eks.authenticationMode,
      irsa: eks.irsa,
      endpointPublicAccess: eks.endpointPublicAccess,
      endpointPrivateAccess: eks.endpointPrivateAccess,
      publicAccessCidrs: eks.endpointPublicAccess
        ? list(eks.publicAccessCidrs)
        : undefined,
      privateAccessCidrs: eks.endpointPrivateAccess
        ? list(eks.privateAccessCidrs)
        : undefined,
      team: text(eks.team),
      environment: text(eks.environment),
    },
  };
}
