import type { ClusterConnectionSettings } from './schema/openapi/generated';

/**
 * A connection method as flat fields: what the registration form, the
 * scaffolder step and the MCP tool take. Each caller normalizes its own
 * input (trimming, empty values, secret lookups) first. @public
 */
export interface ConnectionFields {
  method?: 'direct' | 'proxy' | 'sshTunnel';
  proxyUrl?: string;
  proxyUsername?: string;
  proxyPassword?: string;
  sshHost?: string;
  sshPort?: number;
  sshUsername?: string;
  sshPassword?: string;
  sshPrivateKey?: string;
  sshPassphrase?: string;
  /** Left out or empty, the first successful verification pins the presented key. */
  sshHostKeys?: string[];
}

/**
 * The contract's `connection` from flat fields. Missing required values are
 * sent empty, so the registry's own rules name the field. @public
 */
export function connectionFromFields(
  fields: ConnectionFields,
): ClusterConnectionSettings {
  switch (fields.method ?? 'direct') {
    case 'proxy':
      return {
        method: 'proxy',
        proxyUrl: fields.proxyUrl ?? '',
        username: fields.proxyUsername,
        password: fields.proxyPassword,
      };
    case 'sshTunnel':
      return {
        method: 'sshTunnel',
        sshTunnel: {
          host: fields.sshHost ?? '',
          port: fields.sshPort ?? 22,
          username: fields.sshUsername ?? '',
          password: fields.sshPassword,
          privateKey: fields.sshPrivateKey,
          passphrase: fields.sshPassphrase,
          hostKeys: fields.sshHostKeys?.length ? fields.sshHostKeys : undefined,
        },
      };
    default:
      return { method: 'direct' };
  }
}
