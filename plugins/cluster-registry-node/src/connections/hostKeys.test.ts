import { parseSshHostKeyPin } from '@cluster-registry/plugin-cluster-registry-common';
import crypto from 'node:crypto';
import { fingerprintOf, fingerprintOfPin, HostKeyPins } from './hostKeys';

/** An ed25519 public key as SSH wire format, and its key line. */
function ed25519() {
  const der = crypto
    .generateKeyPairSync('ed25519')
    .publicKey.export({ type: 'spki', format: 'der' });
  const str = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const blob = Buffer.concat([
    str(Buffer.from('ssh-ed25519')),
    str(der.subarray(der.length - 32)),
  ]);
  return { blob, line: `ssh-ed25519 ${blob.toString('base64')}` };
}

/** known_hosts' hashed host form: |1|salt|HMAC-SHA1(salt, host). */
function hashed(host: string) {
  const salt = crypto.randomBytes(20);
  const mac = crypto.createHmac('sha1', salt).update(host).digest();
  return `|1|${salt.toString('base64')}|${mac.toString('base64')}`;
}

describe('SSH host-key pins', () => {
  const key = ed25519();
  const other = ed25519();

  it('accepts a key pinned as a key line or as its fingerprint, and nothing else', () => {
    for (const pin of [key.line, fingerprintOf(key.blob)]) {
      const pins = new HostKeyPins([pin], 'bastion.example', 22);
      expect(pins.accepts(key.blob)).toBe(true);
      expect(pins.accepts(other.blob)).toBe(false);
    }
    expect(fingerprintOfPin(key.line)).toBe(fingerprintOf(key.blob));
    expect(new HostKeyPins([], 'b', 22).empty).toBe(true);
  });

  it('applies a known_hosts line only to the bastion its patterns name, hashed or not, with [host]:port off 22', () => {
    const at = (hosts: string, host: string, port: number) =>
      new HostKeyPins([`${hosts} ${key.line}`], host, port).accepts(key.blob);
    expect(at('bastion.example,10.0.0.1', 'bastion.example', 22)).toBe(true);
    expect(at('other.example', 'bastion.example', 22)).toBe(false);
    expect(at('[bastion.example]:2222', 'bastion.example', 2222)).toBe(true);
    expect(at('bastion.example', 'bastion.example', 2222)).toBe(false);
    expect(at('*.example,!evil.example', 'bastion.example', 22)).toBe(true);
    expect(at('*.example,!evil.example', 'evil.example', 22)).toBe(false);
    expect(at(hashed('bastion.example'), 'bastion.example', 22)).toBe(true);
    expect(at(hashed('bastion.example'), 'other.example', 22)).toBe(false);
  });

  it('refuses a @revoked key for every bastion, even when another line pins it', () => {
    const pins = new HostKeyPins(
      [key.line, `@revoked other.example ${key.line}`],
      'bastion.example',
      22,
    );
    expect(pins.accepts(key.blob)).toBe(false);
  });

  it('offers SHA-2 signatures for a pinned RSA key', () => {
    const rsa = crypto
      .generateKeyPairSync('rsa', { modulusLength: 2048 })
      .publicKey.export({ type: 'pkcs1', format: 'der' });
    // ssh-rsa blob: string "ssh-rsa", mpint e, mpint n (a valid blob type is all the pin parser needs)
    const str = (b: Buffer) => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(b.length);
      return Buffer.concat([len, b]);
    };
    const line = `ssh-rsa ${Buffer.concat([
      str(Buffer.from('ssh-rsa')),
      str(rsa),
    ]).toString('base64')}`;
    expect(parseSshHostKeyPin(line)).toMatchObject({
      kind: 'key',
      keyType: 'ssh-rsa',
    });
    expect(new HostKeyPins([line], 'b', 22).keyTypes).toEqual([
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
    ]);
  });

  it('says why a line is not a pin', () => {
    expect(parseSshHostKeyPin('MD5:aa:bb')).toEqual({
      error: 'only SHA256: fingerprints are accepted',
    });
    expect(parseSshHostKeyPin(`@cert-authority * ${key.line}`)).toMatchObject({
      error: expect.stringMatching(/not supported/),
    });
    expect(parseSshHostKeyPin('ssh-ed25519 AAAAB3NzaC1yc2E=')).toMatchObject({
      error: expect.stringMatching(/not valid base64 of such a key/),
    });
  });
});
