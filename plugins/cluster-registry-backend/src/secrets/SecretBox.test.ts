import crypto from 'node:crypto';
import { SecretBox } from './SecretBox';

describe('SecretBox', () => {
  const box = SecretBox.fromKey(crypto.randomBytes(32));

  it('round-trips and never stores the plaintext', () => {
    const secret = JSON.stringify({ token: 'very-secret-token' });
    const sealed = box.encrypt(secret);
    expect(sealed).not.toContain('very-secret-token');
    expect(sealed.startsWith('v1:')).toBe(true);
    expect(box.decrypt(sealed)).toBe(secret);
    expect(box.encrypt(secret)).not.toBe(sealed); // fresh IV every time
  });

  it('refuses tampered data and another key', () => {
    const sealed = box.encrypt('x');
    const parts = sealed.split(':');
    parts[3] = Buffer.from('y').toString('base64');
    expect(() => box.decrypt(parts.join(':'))).toThrow();
    expect(() =>
      SecretBox.fromKey(crypto.randomBytes(32)).decrypt(sealed),
    ).toThrow();
    expect(() => SecretBox.fromKey(Buffer.alloc(16))).toThrow(/32 bytes/);
  });
});
