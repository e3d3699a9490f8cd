import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';

/**
 * Checks one permission for the caller, whichever way they came in (HTTP or
 * the actions registry); returns who the caller is, for createdBy/updatedBy.
 */
export async function authorizeCredentials(
  permissions: PermissionsService,
  credentials: BackstageCredentials,
  permission: BasicPermission,
): Promise<string> {
  const [decision] = await permissions.authorize([{ permission }], {
    credentials,
  });
  if (decision.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(`not allowed: ${permission.name}`);
  }
  const principal = credentials.principal as
    | { type: 'user'; userEntityRef: string }
    | { type: 'service'; subject: string };
  return principal.type === 'user'
    ? principal.userEntityRef
    : `service:${principal.subject}`;
}
