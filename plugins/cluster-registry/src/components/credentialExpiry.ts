import { Cluster } from '@cluster-registry/plugin-cluster-registry-common';
import { useApi, configApiRef } from '@backstage/core-plugin-api';

/** Days before expiry from which a credential is flagged, unless configured. */
export const DEFAULT_EXPIRY_WARNING_DAYS = 14;

const DAY_MS = 24 * 3600_000;

/** A credential that has expired or expires within the warning window. */
export interface CredentialExpiryWarning {
  expired: boolean;
  expiresAt: string;
  /** Whole days left (0 on the last day); negative once expired. */
  days: number;
  /** "bearer token" or "client certificate". */
  credential: string;
}

/** The warning for a cluster's credential, if it deserves one. */
export function credentialExpiryWarning(
  cluster: Pick<Cluster, 'auth'>,
  warningDays: number,
  now = Date.now(),
): CredentialExpiryWarning | undefined {
  const auth = cluster.auth;
  if (!auth || auth.type === 'aws' || !auth.expiresAt) return undefined;
  const left = Date.parse(auth.expiresAt) - now;
  if (Number.isNaN(left) || left > warningDays * DAY_MS) return undefined;
  return {
    expired: left <= 0,
    expiresAt: auth.expiresAt,
    days: Math.floor(left / DAY_MS),
    credential:
      auth.type === 'clientCertificate' ? 'client certificate' : 'bearer token',
  };
}

/** One line for the list and the page. */
export function expiryText(w: CredentialExpiryWarning): string {
  const on = new Date(w.expiresAt).toLocaleString();
  if (w.expired) return `The ${w.credential} expired on ${on}`;
  const when =
    w.days === 0
      ? 'within a day'
      : `in ${w.days} day${w.days === 1 ? '' : 's'}`;
  return `The ${w.credential} expires ${when} (${on})`;
}

/** `clusterRegistry.credentialExpiry.warningDays` from the app config. */
export function useExpiryWarningDays(): number {
  const config = useApi(configApiRef);
  return (
    config.getOptionalNumber('clusterRegistry.credentialExpiry.warningDays') ??
    DEFAULT_EXPIRY_WARNING_DAYS
  );
}
