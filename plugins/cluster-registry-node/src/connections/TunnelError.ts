import { SshHostKeySeen } from '@cluster-registry/plugin-cluster-registry-common';

/**
 * Why a tunnelled connection could not be opened, in terms an admin can act
 * on: the proxy or bastion is `unreachable`, answered too late (`timeout`),
 * refused the credentials (`auth`) or the destination (`refused`), or the
 * bastion presented a host key that is not pinned (`hostKey`, with the key it
 * presented).
 *
 * @public
 */
export class TunnelError extends Error {
  constructor(
    readonly reason: 'unreachable' | 'timeout' | 'auth' | 'refused' | 'hostKey',
    message: string,
    readonly hostKey?: SshHostKeySeen,
  ) {
    super(message);
    this.name = 'TunnelError';
  }
}

/**
 * Why dialling a proxy or bastion failed: refused by the address policy
 * (`EADDRNOTALLOWED`, from its lookup), or not reachable.
 */
export function dialFailure(
  e: NodeJS.ErrnoException,
  label: string,
): TunnelError {
  return e.code === 'EADDRNOTALLOWED'
    ? new TunnelError('refused', e.message)
    : new TunnelError(
        'unreachable',
        `cannot reach ${label}: ${e.code ?? e.message}`,
      );
}
