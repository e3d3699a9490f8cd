import {
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const KEY_HELP = '32 random bytes, base64-encoded (openssl rand -base64 32)';

/** The environments in which a missing key may be generated. */
const DEVELOPMENT_ENVIRONMENTS = new Set(['development', 'test']);

/** A short, stable id of a key (not reversible to it). */
function keyId(key: Buffer): string {
  return crypto
    .createHash('sha256')
    .update(key)
    .digest()
    .subarray(0, 6)
    .toString('base64url');
}

/**
 * Encrypts the cluster secrets at rest with AES-256-GCM.
 *
 * Ciphertexts are `v2:<key id>:<iv>:<tag>:<data>`: the key id says which key
 * encrypted them, so that keys can be rotated. The current key
 * (`clusterRegistry.encryptionKey`) encrypts; it and the keys in
 * `clusterRegistry.previousEncryptionKeys` decrypt. The first format, `v1:`
 * without a key id, is still read (every key is tried; GCM's tag says which
 * one fits). `reencrypt-secrets` rewrites every stored secret under the
 * current key, after which the previous keys can be removed.
 */
export class SecretBox {
  private readonly currentId: string;
  private readonly keys: Map<string, Buffer>;

  private constructor(current: Buffer, previous: Buffer[] = []) {
    this.currentId = keyId(current);
    this.keys = new Map([
      [this.currentId, current],
      ...previous.map(k => [keyId(k), k] as [string, Buffer]),
    ]);
  }

  /**
   * Outside development the key must be configured: the backend refuses to
   * start without it. In development (NODE_ENV development or test) a key is
   * generated into the data directory once, with a warning, so that restarts
   * can still decrypt.
   */
  static fromConfig(
    config: RootConfigService,
    logger: LoggerService,
    environment: string | undefined = process.env.NODE_ENV,
  ): SecretBox {
    const configured = config.getOptionalString(
      'clusterRegistry.encryptionKey',
    );
    const previous = (
      config.getOptionalStringArray('clusterRegistry.previousEncryptionKeys') ??
      []
    ).map((k, i) =>
      SecretBox.parseKey(k, `clusterRegistry.previousEncryptionKeys[${i}]`),
    );
    if (configured) {
      return new SecretBox(
        SecretBox.parseKey(configured, 'clusterRegistry.encryptionKey'),
        previous,
      );
    }
    if (!DEVELOPMENT_ENVIRONMENTS.has(environment ?? '')) {
      throw new Error(
        `clusterRegistry.encryptionKey is required outside development (NODE_ENV is '${
          environment ?? ''
        }'): set it to ${KEY_HELP}, for example from an environment variable`,
      );
    }

    const dir =
      process.env.CLUSTER_REGISTRY_DATA_DIR ??
      path.resolve(process.cwd(), 'data');
    const file = path.join(dir, 'cluster-registry-dev-encryption.key');
    if (!fs.existsSync(file)) {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(file, crypto.randomBytes(32).toString('base64'), {
        mode: 0o600,
        flag: 'wx',
      });
    }
    logger.warn(
      `clusterRegistry.encryptionKey is not set; using the development key in ${file}. Set the key in production.`,
    );
    return new SecretBox(
      SecretBox.parseKey(
        fs.readFileSync(file, 'utf8').trim(),
        `the development key in ${file}`,
      ),
      previous,
    );
  }

  static fromKey(key: Buffer, previous: Buffer[] = []): SecretBox {
    if (key.length !== 32) throw new Error('encryption key must be 32 bytes');
    return new SecretBox(key, previous);
  }

  private static parseKey(value: string, where: string): Buffer {
    const key = Buffer.from(value, 'base64');
    if (key.length !== 32) {
      throw new Error(`${where} must be ${KEY_HELP}`);
    }
    return key;
  }

  encrypt(plaintext: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv(
      'aes-256-gcm',
      this.keys.get(this.currentId)!,
      iv,
    );
    const data = Buffer.concat([
      cipher.update(plaintext, 'utf8'),
      cipher.final(),
    ]);
    return [
      'v2',
      this.currentId,
      iv.toString('base64'),
      cipher.getAuthTag().toString('base64'),
      data.toString('base64'),
    ].join(':');
  }

  /** Whether a ciphertext was written under another key or format than the current one. */
  isStale(ciphertext: string): boolean {
    return !ciphertext.startsWith(`v2:${this.currentId}:`);
  }

  decrypt(ciphertext: string): string {
    const parts = ciphertext.split(':');
    if (parts[0] === 'v2' && parts.length === 5) {
      const key = this.keys.get(parts[1]);
      if (!key) {
        throw new Error(
          `a secret was encrypted with key ${parts[1]}, which is neither clusterRegistry.encryptionKey nor in previousEncryptionKeys`,
        );
      }
      return SecretBox.open(key, parts[2], parts[3], parts[4]);
    }
    if (parts[0] === 'v1' && parts.length === 4) {
      for (const key of this.keys.values()) {
        try {
          return SecretBox.open(key, parts[1], parts[2], parts[3]);
        } catch {
          // another key
        }
      }
      throw new Error(
        'a secret could not be decrypted with any configured encryption key',
      );
    }
    throw new Error('unrecognised secret format');
  }

  private static open(key: Buffer, iv: string, tag: string, data: string) {
    // A full 16-byte tag only: GCM would accept truncated ones.
    const decipher = crypto.createDecipheriv(
      'aes-256-gcm',
      key,
      Buffer.from(iv, 'base64'),
      { authTagLength: 16 },
    );
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([
      decipher.update(Buffer.from(data, 'base64')),
      decipher.final(),
    ]).toString('utf8');
  }
}
