import { stringifyEntityRef } from '@backstage/catalog-model';

/**
 * Where a registered cluster lives outside the registry: its catalog entity
 * and its page in the portal. One place, so that the catalog module, the
 * scaffolder actions, the Kubernetes module and the MCP actions agree.
 */

/** The catalog entity of a registered cluster (a Resource). @public */
export function clusterEntityRef(name: string): string {
  return stringifyEntityRef({ kind: 'resource', namespace: 'default', name });
}

/** The cluster's page in the portal, under the app's base URL. @public */
export function clusterPageUrl(appBaseUrl: string, name: string): string {
  return `${appBaseUrl.replace(/\/+$/, '')}/clusters/${encodeURIComponent(
    name,
  )}`;
}
