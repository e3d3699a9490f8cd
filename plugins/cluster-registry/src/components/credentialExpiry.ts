import {
  CredentialExpiryWarning,
  DEFAULT_EXPIRY_WARNING_DAYS,
  expiresIn,
} from '@cluster-registry/plugin-cluster-registry-common';
import { useApi, configApiRef } from '@backstage/core-plugin-api';

export { credentialExpiryWarning } from '@cluster-registry/plugin-cluster-registry-common';

/** One line for the list and the page. */
export function expiryText(w: CredentialExpiryWarning): string {
  const on = new Date(w.expiresAt).toLocaleString();
  if (w.expired) return `The ${w.credential} expired on ${on}`;
  return `The ${w.credential} expires ${expiresIn(w)} (${on})`;
}

/** `clusterRegistry.credentialExpiry.warningDays` from the app config. */
export function useExpiryWarningDays(): number {
  const config = useApi(configApiRef);
  return (
    config.getOptionalNumber('clusterRegistry.credentialExpiry.warningDays') ??
    DEFAULT_EXPIRY_WARNING_DAYS
  );
}
