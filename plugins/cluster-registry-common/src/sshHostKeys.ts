/**
 * SSH host-key pins as an admin gives them: an OpenSSH fingerprint
 * (`SHA256:` and 43 base64 characters, what `ssh-keygen -lf` and the
 * registry's verification show), a public-key line (`ssh-ed25519 AAAA…`, what
 * `/etc/ssh/ssh_host_*_key.pub` holds) or a known_hosts line (host patterns,
 * optionally `@revoked`, then the key; what `ssh-keyscan` prints). Parsed
 * here for validation in the browser and the backend alike; the backend
 * compares them with the key a bastion presents.
 */

/** Host-key algorithms a pin may name. @public */
export const SSH_HOST_KEY_TYPES = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
] as const;

/** One parsed pin. @public */
export type SshHostKeyPin =
  | { kind: 'fingerprint'; fingerprint: string }
  | {
      kind: 'key';
      keyType: string;
      /** The key blob, base64 as written. */
      key: string;
      /** known_hosts host patterns (comma-separated, may be hashed `|1|…`); absent for a bare key line. */
      hosts?: string;
      revoked: boolean;
    };

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The first length-prefixed string of an SSH key blob (its algorithm name). */
function blobType(base64: string): string | undefined {
  let bytes: string;
  try {
    bytes = atob(base64);
  } catch {
    return undefined;
  }
  if (bytes.length < 4) return undefined;
  const n =
    (bytes.charCodeAt(0) << 24) |
    (bytes.charCodeAt(1) << 16) |
    (bytes.charCodeAt(2) << 8) |
    bytes.charCodeAt(3);
  if (n <= 0 || n > 64 || bytes.length < 4 + n) return undefined;
  return bytes.slice(4, 4 + n);
}

/** Parses one pin, or says why it is not one. @public */
export function parseSshHostKeyPin(
  line: string,
): SshHostKeyPin | { error: string } {
  const text = line.trim();
  if (FINGERPRINT.test(text)) return { kind: 'fingerprint', fingerprint: text };
  if (/^(MD5:|SHA1:|[0-9a-f]{2}:)/i.test(text))
    return { error: 'only SHA256: fingerprints are accepted' };
  const fields = text.split(/\s+/);
  let revoked = false;
  if (fields[0]?.startsWith('@')) {
    const marker = fields.shift();
    if (marker === '@revoked') revoked = true;
    else
      return {
        error: `${marker} is not supported: pin the bastion's host key itself`,
      };
  }
  const typeAt = fields.findIndex(f =>
    (SSH_HOST_KEY_TYPES as readonly string[]).includes(f),
  );
  if (typeAt < 0 || typeAt > 1)
    return {
      error:
        'must be a SHA256: fingerprint, a public-key line (ssh-ed25519 AAAA…) or a known_hosts line',
    };
  const hosts = typeAt === 1 ? fields[0] : undefined;
  const keyType = fields[typeAt];
  const key = fields[typeAt + 1] ?? '';
  if (!BASE64.test(key) || blobType(key) !== keyType)
    return { error: `the ${keyType} key is not valid base64 of such a key` };
  if (revoked && !hosts)
    return { error: '@revoked needs host patterns before the key' };
  return { kind: 'key', keyType, key, hosts, revoked };
}
