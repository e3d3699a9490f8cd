import {
  parseSshHostKeyPin,
  SshHostKeySeen,
} from '@cluster-registry/plugin-cluster-registry-common';
import crypto from 'node:crypto';

/** The OpenSSH fingerprint of a key blob: `SHA256:` and unpadded base64. @public */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${crypto
    .createHash('sha256')
    .update(blob)
    .digest('base64')
    .replace(/=+$/, '')}`;
}

/** The algorithm name a key blob starts with. */
function blobType(blob: Buffer): string {
  const n = blob.length >= 4 ? blob.readUInt32BE(0) : 0;
  return blob.subarray(4, 4 + Math.min(n, 64)).toString('latin1');
}

/** What a bastion presented, as the registry reports it. */
export function describeHostKey(blob: Buffer, pinned: boolean): SshHostKeySeen {
  return {
    fingerprint: fingerprintOf(blob),
    publicKey: `${blobType(blob)} ${blob.toString('base64')}`,
    pinned,
  };
}

/** The fingerprint of a pin as given (fingerprint, key line or known_hosts line); undefined if unparsable. @public */
export function fingerprintOfPin(line: string): string | undefined {
  const pin = parseSshHostKeyPin(line);
  if ('error' in pin) return undefined;
  return pin.kind === 'fingerprint'
    ? pin.fingerprint
    : fingerprintOf(Buffer.from(pin.key, 'base64'));
}

/** One known_hosts pattern (`*`, `?`) against a host string. */
function globMatch(pattern: string, text: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/\*+/g, '*')
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return re.test(text);
}

/**
 * Whether a known_hosts host field names this bastion: plain patterns
 * (comma-separated, `!` negates, `[host]:port` for a port other than 22) or a
 * hashed entry (`|1|salt|hash`, HMAC-SHA1 of the host string).
 */
function hostsMatch(field: string, host: string, port: number): boolean {
  const name = port === 22 ? host : `[${host}]:${port}`;
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    const mac = crypto
      .createHmac('sha1', Buffer.from(salt, 'base64'))
      .update(name)
      .digest();
    const want = Buffer.from(hash, 'base64');
    return want.length === mac.length && crypto.timingSafeEqual(want, mac);
  }
  let matched = false;
  for (const pattern of field.split(',')) {
    if (pattern.startsWith('!')) {
      if (globMatch(pattern.slice(1), name)) return false;
    } else if (globMatch(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/**
 * The keys a cluster's pins accept for one bastion. A bare key line or a
 * fingerprint applies to this bastion; a known_hosts line only if its host
 * patterns name it (so a whole known_hosts file may be pasted); `@revoked`
 * lines refuse their key even if another line pins it.
 */
export class HostKeyPins {
  private readonly fingerprints = new Set<string>();
  private readonly revoked = new Set<string>();
  /** Host-key algorithms to offer for the pinned key lines (undefined when a fingerprint pin leaves it open). */
  readonly keyTypes?: string[];

  constructor(lines: string[], host: string, port: number) {
    const types = new Set<string>();
    let anyFingerprint = false;
    for (const line of lines) {
      const pin = parseSshHostKeyPin(line);
      if ('error' in pin) continue;
      if (pin.kind === 'fingerprint') {
        this.fingerprints.add(pin.fingerprint);
        anyFingerprint = true;
        continue;
      }
      const fp = fingerprintOf(Buffer.from(pin.key, 'base64'));
      // A revoked key is refused for every bastion, whatever its patterns.
      if (pin.revoked) {
        this.revoked.add(fp);
        continue;
      }
      if (pin.hosts && !hostsMatch(pin.hosts, host, port)) continue;
      this.fingerprints.add(fp);
      types.add(pin.keyType);
    }
    if (!anyFingerprint && types.size)
      this.keyTypes = [...types].flatMap(t =>
        // An RSA key is offered with SHA-2 signatures (OpenSSH 8.8 refuses ssh-rsa/SHA-1).
        t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t],
      );
  }

  get empty(): boolean {
    return this.fingerprints.size === 0;
  }

  accepts(blob: Buffer): boolean {
    const fp = fingerprintOf(blob);
    return !this.revoked.has(fp) && this.fingerprints.has(fp);
  }

  /** The pinned fingerprints, for messages. */
  describe(): string {
    return [...this.fingerprints].join(', ');
  }
}
