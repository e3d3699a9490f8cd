import { X509Certificate } from 'node:crypto';
import {
  credentialName,
  type ParsedClusterAuth,
} from '@cluster-registry/plugin-cluster-registry-common';

/**
 * When a credential stops working, read from the credential itself: a JWT's
 * `exp` claim (ServiceAccount tokens from TokenRequest, OIDC ID tokens) and a
 * client certificate's notAfter. Static tokens and AWS IAM auth (minted per
 * request) have none. Nothing is verified here: the API server does that; a
 * credential that cannot be read simply has no known expiry.
 */
export function credentialExpiry(auth: ParsedClusterAuth): string | undefined {
  if (auth.type === 'bearerToken') return jwtExpiry(auth.token);
  if (auth.type === 'clientCertificate')
    return certificateExpiry(auth.certData);
  return undefined;
}

/** The `exp` claim of a JWT, or undefined for tokens that are not JWTs. */
export function jwtExpiry(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[1].length > 16_384) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
    const exp = claims?.exp;
    // Seconds since the epoch, within what a Date can hold.
    if (typeof exp !== 'number' || !Number.isFinite(exp) || exp <= 0)
      return undefined;
    const at = new Date(exp * 1000);
    return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
  } catch {
    return undefined;
  }
}

/** The notAfter of a base64-encoded PEM (or DER) client certificate. */
export function certificateExpiry(certData: string): string | undefined {
  try {
    const cert = new X509Certificate(Buffer.from(certData, 'base64'));
    const at = new Date(cert.validTo);
    return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
  } catch {
    return undefined;
  }
}

/** Whether a credential expiring at `expiresAt` has expired by `now`. */
export function isExpired(expiresAt: string | undefined, now = new Date()) {
  return !!expiresAt && Date.parse(expiresAt) <= now.getTime();
}

/** What the health check says of an expired credential. */
export function expiredMessage(
  auth: { type: string },
  expiresAt: string,
): string {
  return `the ${credentialName(
    auth,
  )} expired on ${expiresAt}: rotate the credentials`;
}
