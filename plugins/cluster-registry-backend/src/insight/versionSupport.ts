import { RootConfigService } from '@backstage/backend-plugin-api';
import type { VersionSupport } from '@cluster-registry/plugin-cluster-registry-common';

/**
 * The support windows a cluster's version is placed in.
 *
 * Upstream: "the most recent three minor releases" get patches. Which minors
 * those are changes every four months, so the newest one comes from config
 * (clusterRegistry.versionSupport.newestMinor) with the default below,
 * maintained with each release of this plugin.
 *
 * EKS: 14 months of standard support after EKS releases a minor, then 12
 * months of extended support at extra cost. The dates are AWS's (EKS user
 * guide, "Kubernetes version lifecycle"); config may add or correct minors.
 */
export const DEFAULT_NEWEST_MINOR = '1.36';
export const DEFAULT_WINDOW_MINORS = 3;

export interface EksVersionDates {
  /** YYYY-MM-DD */
  endOfStandardSupport: string;
  endOfExtendedSupport: string;
}

export const EKS_SUPPORT_DATES: Record<string, EksVersionDates> = {
  '1.28': {
    endOfStandardSupport: '2024-11-26',
    endOfExtendedSupport: '2025-11-26',
  },
  '1.29': {
    endOfStandardSupport: '2025-03-23',
    endOfExtendedSupport: '2026-03-23',
  },
  '1.30': {
    endOfStandardSupport: '2025-07-23',
    endOfExtendedSupport: '2026-07-23',
  },
  '1.31': {
    endOfStandardSupport: '2025-11-26',
    endOfExtendedSupport: '2026-11-26',
  },
  '1.32': {
    endOfStandardSupport: '2026-03-23',
    endOfExtendedSupport: '2027-03-23',
  },
  '1.33': {
    endOfStandardSupport: '2026-07-29',
    endOfExtendedSupport: '2027-07-29',
  },
  '1.34': {
    endOfStandardSupport: '2026-12-02',
    endOfExtendedSupport: '2027-12-02',
  },
  '1.35': {
    endOfStandardSupport: '2027-03-27',
    endOfExtendedSupport: '2028-03-27',
  },
};

/** clusterRegistry.versionSupport, over the maintained defaults. */
export function readVersionWindows(config?: RootConfigService): VersionWindows {
  const v = config?.getOptionalConfig('clusterRegistry.versionSupport');
  const eks = { ...EKS_SUPPORT_DATES };
  for (const dates of v?.getOptionalConfigArray('eks') ?? []) {
    eks[dates.getString('minor')] = {
      endOfStandardSupport: dates.getString('endOfStandardSupport'),
      endOfExtendedSupport: dates.getString('endOfExtendedSupport'),
    };
  }
  return {
    newestMinor: v?.getOptionalString('newestMinor') ?? DEFAULT_NEWEST_MINOR,
    windowMinors: v?.getOptionalNumber('windowMinors') ?? DEFAULT_WINDOW_MINORS,
    eks,
  };
}

export interface VersionWindows {
  newestMinor: string;
  windowMinors: number;
  eks: Record<string, EksVersionDates>;
}

function parseMinor(version: string | undefined): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(version ?? '');
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** An EKS API server reports e.g. v1.31.4-eks-2d5f260. */
export function isEksVersion(version: string | undefined) {
  return /-eks-/.test(version ?? '');
}

/** Where a version sits: in the upstream window, or in EKS's support dates. */
export function versionSupport(
  version: string | undefined,
  windows: VersionWindows,
  options: { eks?: boolean; now?: Date } = {},
): VersionSupport {
  const newest = parseMinor(windows.newestMinor) ?? [1, 0];
  const oldest: [number, number] = [
    newest[0],
    Math.max(0, newest[1] - windows.windowMinors + 1),
  ];
  const window = {
    oldest: `${oldest[0]}.${oldest[1]}`,
    newest: `${newest[0]}.${newest[1]}`,
  };
  const v = parseMinor(version);
  if (!v)
    return {
      status: 'unknown',
      message:
        'the version is not known yet (the cluster has not been reached)',
      window,
      provider: 'upstream',
    };
  const minor = `${v[0]}.${v[1]}`;
  const base = { version, minor, window };
  if (options.eks || isEksVersion(version)) {
    const dates = windows.eks[minor];
    if (!dates)
      return {
        ...base,
        provider: 'eks',
        status: 'unknown',
        message: `EKS support dates of ${minor} are not in the table (clusterRegistry.versionSupport.eks)`,
      };
    const today = (options.now ?? new Date()).toISOString().slice(0, 10);
    const withDates = { ...base, provider: 'eks' as const, ...dates };
    if (today <= dates.endOfStandardSupport)
      return {
        ...withDates,
        status: 'standard',
        message: `EKS standard support until ${dates.endOfStandardSupport}`,
      };
    if (today <= dates.endOfExtendedSupport)
      return {
        ...withDates,
        status: 'extended',
        message: `EKS extended support (extra cost) until ${dates.endOfExtendedSupport}; standard support ended ${dates.endOfStandardSupport}`,
      };
    return {
      ...withDates,
      status: 'unsupported',
      message: `out of EKS support since ${dates.endOfExtendedSupport}: EKS upgrades such clusters automatically`,
    };
  }
  const upstream = { ...base, provider: 'upstream' as const };
  if (v[0] !== newest[0] || v[1] > newest[1])
    return {
      ...upstream,
      status: 'ahead',
      message: `${minor} is newer than the newest minor this portal knows (${window.newest}); update clusterRegistry.versionSupport.newestMinor`,
    };
  const behind = newest[1] - v[1];
  if (behind === 0)
    return {
      ...upstream,
      status: 'newest',
      message: 'supported (newest minor)',
    };
  if (v[1] < oldest[1])
    return {
      ...upstream,
      status: 'unsupported',
      message: `out of support: ${oldest[1] - v[1]} minor(s) below the window ${
        window.oldest
      }–${window.newest}`,
    };
  if (v[1] === oldest[1])
    return {
      ...upstream,
      status: 'oldest',
      message: `oldest supported minor: patches end when ${newest[0]}.${
        newest[1] + 1
      } is released`,
    };
  return {
    ...upstream,
    status: 'supported',
    message: `supported (N-${behind})`,
  };
}
