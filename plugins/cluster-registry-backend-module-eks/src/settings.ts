import { RootConfigService } from '@backstage/backend-plugin-api';

/**
 * Kubernetes versions EKS supports in standard or extended support, newest
 * last; maintained with this module (EKS Kubernetes release calendar).
 * `clusterRegistry.providers.eks.kubernetesVersions` narrows or replaces it.
 */
export const DEFAULT_EKS_VERSIONS = ['1.30', '1.31', '1.32', '1.33', '1.34'];

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;

/** `clusterRegistry.providers.eks`, checked at startup. */
export interface EksSettings {
  regions: string[];
  defaultRegion: string;
  kubernetesVersions: string[];
  defaultKubernetesVersion: string;
  roleArn?: string;
  readerRoleArn: string;
  adminPrincipalArns: string[];
  defaultTags: Record<string, string>;
  /** How often a control plane being created or deleted is looked at. */
  pollIntervalSeconds: number;
}

export function readEksSettings(
  config: RootConfigService,
): EksSettings | undefined {
  const eks = config.getOptionalConfig('clusterRegistry.providers.eks');
  if (!eks) return undefined;
  const at = 'clusterRegistry.providers.eks';
  const regions = eks.getStringArray('regions');
  if (!regions.length) throw new Error(`${at}.regions must name a region`);
  const kubernetesVersions =
    eks.getOptionalStringArray('kubernetesVersions') ?? DEFAULT_EKS_VERSIONS;
  const newest = [...kubernetesVersions].sort(compareVersions).at(-1)!;
  const settings: EksSettings = {
    regions,
    defaultRegion: eks.getOptionalString('defaultRegion') ?? regions[0],
    kubernetesVersions,
    defaultKubernetesVersion:
      eks.getOptionalString('defaultKubernetesVersion') ?? newest,
    roleArn: eks.getOptionalString('roleArn'),
    readerRoleArn: eks.getString('readerRoleArn'),
    adminPrincipalArns: eks.getOptionalStringArray('adminPrincipalArns') ?? [],
    pollIntervalSeconds: eks.getOptionalNumber('pollIntervalSeconds') ?? 15,
    defaultTags: Object.fromEntries(
      (eks.getOptionalConfig('defaultTags')?.keys() ?? []).map(k => [
        k,
        eks.getString(`defaultTags.${k}`),
      ]),
    ),
  };
  if (!settings.regions.includes(settings.defaultRegion))
    throw new Error(`${at}.defaultRegion must be one of ${at}.regions`);
  if (!kubernetesVersions.includes(settings.defaultKubernetesVersion))
    throw new Error(
      `${at}.defaultKubernetesVersion must be one of ${at}.kubernetesVersions`,
    );
  for (const [key, arn] of [
    ['roleArn', settings.roleArn],
    ['readerRoleArn', settings.readerRoleArn],
  ] as const)
    if (arn !== undefined && !ROLE_ARN.test(arn))
      throw new Error(`${at}.${key} must be an IAM role ARN`);
  for (const arn of settings.adminPrincipalArns)
    if (!PRINCIPAL_ARN.test(arn))
      throw new Error(
        `${at}.adminPrincipalArns: ${arn} is not an IAM role or user ARN`,
      );
  return settings;
}

/** Orders `1.9` before `1.30`. */
export function compareVersions(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number);
  const [bm, bn] = b.split('.').map(Number);
  return am - bm || an - bn;
}
