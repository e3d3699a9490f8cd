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
