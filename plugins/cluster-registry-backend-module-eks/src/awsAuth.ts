import YAML from 'yaml';

/** One `mapRoles` entry of the aws-auth ConfigMap (aws-iam-authenticator's format). */
export interface MapRole {
  rolearn: string;
  username: string;
  groups: string[];
}

/**
 * The aws-auth `mapRoles` text with `entry` in it: replaced where the same
 * role is mapped already, appended otherwise; every other entry is kept as
 * it was. Undefined when nothing changes.
 */
export function withMappedRole(
  current: string | undefined,
  entry: MapRole,
): string | undefined {
  const parsed = current?.trim() ? YAML.parse(current) : [];
  if (!Array.isArray(parsed))
    throw new Error('aws-auth mapRoles is not a YAML list');
  const roles = parsed as MapRole[];
  const at = roles.findIndex(r => r?.rolearn === entry.rolearn);
  if (
    at >= 0 &&
    roles[at].username === entry.username &&
    JSON.stringify(roles[at].groups ?? []) === JSON.stringify(entry.groups)
  )
    return undefined;
  const next =
    at >= 0 ? roles.map((r, i) => (i === at ? entry : r)) : [...roles, entry];
  return YAML.stringify(next);
}
