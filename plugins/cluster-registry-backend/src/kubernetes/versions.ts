/** The Kubernetes minor versions the portal supports (config: clusterRegistry.supportedVersions). */
export interface SupportedVersions {
  /** Oldest supported minor, e.g. "1.28". */
  min: string;
  /** Newest supported minor; unset means "up to the latest". */
  max?: string;
}

function minorOf(version: string): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(version.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

const compare = (a: [number, number], b: [number, number]) =>
  a[0] - b[0] || a[1] - b[1];

/** Whether a reported gitVersion (v1.36.3, v1.29.4-eks-...) is in the supported range. */
export function isVersionSupported(
  version: string | undefined,
  range: SupportedVersions,
): boolean | undefined {
  if (!version) return undefined;
  const v = minorOf(version);
  const min = minorOf(range.min);
  if (!v || !min) return undefined;
  if (compare(v, min) < 0) return false;
  const max = range.max ? minorOf(range.max) : undefined;
  return max ? compare(v, max) <= 0 : true;
}
