/**
 * When a cluster's credential deserves a warning, shared by the pages and the
 * backend's notifications so that both flag the same credentials in the same
 * words.
 */

/** Days before expiry from which a credential is flagged, unless configured. @public */
export const DEFAULT_EXPIRY_WARNING_DAYS = 14;

const DAY_MS = 24 * 3600_000;

/** A credential that has expired or expires within the warning window. @public */
export interface CredentialExpiryWarning {
  expired: boolean;
  expiresAt: string;
  /** Milliseconds left; negative once expired. */
  msLeft: number;
  /** Whole days left (0 on the last day); negative once expired. */
  days: number;
  /** "bearer token" or "client certificate". */
  credential: string;
}

/** "bearer token" or "client certificate": what the portal authenticates with. @public */
export function credentialName(auth: { type: string }): string {
  return auth.type === 'clientCertificate'
    ? 'client certificate'
    : 'bearer token';
}

/**
 * The warning for a cluster's credential (its `auth.expiresAt`), if it has
 * expired or expires within `warningDays`.
 * @public
 */
export function credentialExpiryWarning<
  Auth extends { type: string; expiresAt?: string; serviceAccount?: unknown },
>(
  cluster: { auth?: Auth; serviceAccount?: unknown },
  warningDays: number,
  now = Date.now(),
): CredentialExpiryWarning | undefined {
  const auth = cluster.auth;
  if (!auth?.expiresAt) return undefined;
  const msLeft = Date.parse(auth.expiresAt) - now;
  if (Number.isNaN(msLeft) || msLeft > warningDays * DAY_MS) return undefined;
  // A minted ServiceAccount's token is renewed by the registry: nobody is
  // asked to rotate it, unless renewal failed and it has expired.
  const renewed = Boolean(cluster.serviceAccount ?? auth.serviceAccount);
  if (renewed && msLeft > 0) return undefined;
  return {
    expired: msLeft <= 0,
    expiresAt: auth.expiresAt,
    msLeft,
    days: Math.floor(msLeft / DAY_MS),
    credential: credentialName(auth),
  };
}

/** "within a day", "in 1 day", "in 3 days", for a credential not yet expired. @public */
export function expiresIn(warning: Pick<CredentialExpiryWarning, 'days'>) {
  return warning.days === 0
    ? 'within a day'
    : `in ${warning.days} day${warning.days === 1 ? '' : 's'}`;
}
