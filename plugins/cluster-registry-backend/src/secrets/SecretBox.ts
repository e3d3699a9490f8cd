import {
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const VERSION = 'v1';

/**
 * Encrypts the cluster secrets at rest with AES-256-GCM. Ciphertexts are
 * `v1:<iv>:<tag>:<data>` (base64) so the format can evolve.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /**
   * The key comes from `clusterRegistry.encryptionKey` (32 bytes, base64).
   * Without it — development only — a key is generated into the data
   * directory once, with a warning, so that restarts can still decrypt.
   */
  static fromConfig(
    config: RootConfigService,
    logger: LoggerService,
  ): SecretBox {
    const configured = config.getOptionalString(
      'clusterRegistry.encryptionKey',
    );
    if (configured) return new SecretBox(SecretBox.parseKey(configured));

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
      SecretBox.parseKey(fs.readFileSync(file, 'utf8').trim()),
    );
  }

  static fromKey(key: Buffer): SecretBox {
    if (key.length !== 32) throw new Error('encryption key must be 32 bytes');
    return new SecretBox(key);
  }

  private static parseKey(value: string): Buffer {
    const key = Buffer.from(value, 'base64');
    if (key.length !== 32) {
      throw new Error(
        'clusterRegistry.encryptionKey must be 32 bytes, base64-encoded (openssl rand -base64 32)',
      );
    }
    return key;
  }

  encrypt(plaintext: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([
      cipher.update(plaintext, 'utf8'),
      cipher.final(),
    ]);
    return [VERSION, iv, cipher.getAuthTag(), data]
      .map(p => (typeof p === 'string' ? p : p.toString('base64')))
      .join(':');
  }

  decrypt(ciphertext: string): string {
    const [version, iv, tag, data] = ciphertext.split(':');
    if (version !== VERSION || !iv || !tag || data === undefined) {
      throw new Error('unrecognised secret format');
    }
    const decipher = crypto.createDecipheriv(
      'aes-256-gcm',
      this.key,
      Buffer.from(iv, 'base64'),
    );
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([
      decipher.update(Buffer.from(data, 'base64')),
      decipher.final(),
    ]).toString('utf8');
  }
}
