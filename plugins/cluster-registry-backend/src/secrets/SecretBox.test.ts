import { mockServices } from '@backstage/backend-test-utils';
import crypto from 'node:crypto';
import { SecretBox } from './SecretBox';

const newKey = () => crypto.randomBytes(32);

describe('SecretBox', () => {
  const box = SecretBox.fromKey(newKey());

  it('round-trips and never stores the plaintext', () => {
    const secret = JSON.stringify({ token: 'very-secret-token' });
    const sealed = box.encrypt(secret);
    expect(sealed).not.toContain('very-secret-token');
    expect(sealed).toMatch(/^v2:[A-Za-z0-9_-]{8}:/);
    expect(box.decrypt(sealed)).toBe(secret);
    expect(box.encrypt(secret)).not.toBe(sealed); // fresh IV every time
  });

  it('refuses tampered data and another key', () => {
    const sealed = box.encrypt('x');
    const parts = sealed.split(':');
    // Flip one bit of the ciphertext (writing a fixed byte over it would be
    // no change at all once in 256 runs).
    const data = Buffer.from(parts[4], 'base64');
    data[0] ^= 1;
    parts[4] = data.toString('base64');
    expect(() => box.decrypt(parts.join(':'))).toThrow();
    expect(() => SecretBox.fromKey(newKey()).decrypt(sealed)).toThrow(
      /neither clusterRegistry.encryptionKey nor in previousEncryptionKeys/,
    );
    expect(() => SecretBox.fromKey(Buffer.alloc(16))).toThrow(/32 bytes/);
  });

  it('rotates: the new key encrypts, previous keys still decrypt, stale ciphertexts are known', () => {
    const oldKey = newKey();
    const current = newKey();
    const before = SecretBox.fromKey(oldKey).encrypt('s');
    const rotated = SecretBox.fromKey(current, [oldKey]);
    expect(rotated.decrypt(before)).toBe('s');
    expect(rotated.isStale(before)).toBe(true);
    const after = rotated.encrypt('s');
    expect(rotated.isStale(after)).toBe(false);
    expect(SecretBox.fromKey(current).decrypt(after)).toBe('s');
  });

  it('still reads the first format (v1, no key id) with any configured key', () => {
    const key = newKey();
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
    const data = Buffer.concat([
      cipher.update('legacy', 'utf8'),
      cipher.final(),
    ]);
    const v1 = ['v1', iv, cipher.getAuthTag(), data]
      .map(p => (typeof p === 'string' ? p : p.toString('base64')))
      .join(':');
    expect(SecretBox.fromKey(newKey(), [key]).decrypt(v1)).toBe('legacy');
    expect(SecretBox.fromKey(newKey(), [key]).isStale(v1)).toBe(true);
  });

  it('refuses to start without a key outside development, naming the key', () => {
    const config = mockServices.rootConfig({ data: {} });
    expect(() =>
      SecretBox.fromConfig(config, mockServices.logger.mock(), 'production'),
    ).toThrow(/clusterRegistry\.encryptionKey is required outside development/);
    expect(() =>
      SecretBox.fromConfig(
        mockServices.rootConfig({
          data: { clusterRegistry: { encryptionKey: 'c2hvcnQ=' } },
        }),
        mockServices.logger.mock(),
        'production',
      ),
    ).toThrow(/clusterRegistry\.encryptionKey must be 32 random bytes/);
  });
});
