import { DatabaseManager } from '@backstage/backend-defaults/database';
import {
  LifecycleService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { ConfigSources } from '@backstage/config-loader';
import { DatabaseClusterStore } from '../database/DatabaseClusterStore';
import { SecretBox } from '../secrets/SecretBox';

/**
 * Re-encrypts every stored cluster secret under the current key
 * (`clusterRegistry.encryptionKey`), reading older ones with
 * `clusterRegistry.previousEncryptionKeys`. Uses the backend's own config and
 * database settings, so it finds the same SQLite file or PostgreSQL database.
 *
 *   yarn workspace @cluster-registry/plugin-cluster-registry-backend \
 *     reencrypt-secrets --config ../../app-config.yaml [--config ...]
 */
export async function reencryptClusterSecrets(
  config: RootConfigService,
  logger: LoggerService,
): Promise<{ checked: number; rewritten: number; stale: number }> {
  const hooks: Array<() => void | Promise<void>> = [];
  const lifecycle: LifecycleService = {
    addStartupHook: () => {},
    addBeforeShutdownHook: () => {},
    addShutdownHook: (hook: () => void | Promise<void>) => {
      hooks.push(hook);
    },
  } as unknown as LifecycleService;
  const database = DatabaseManager.fromConfig(config).forPlugin(
    'cluster-registry',
    { logger, lifecycle },
  );
  const store = await DatabaseClusterStore.create({
    database,
    secrets: SecretBox.fromConfig(config, logger),
  });
  try {
    return await store.reencryptSecrets();
  } finally {
    await (await database.getClient()).destroy();
    for (const hook of hooks) await hook();
  }
}

function consoleLogger(): LoggerService {
  const log = (level: string) => (message: string, meta?: Error | object) => {
    const detail = meta instanceof Error ? ` ${meta.message}` : '';
    process.stderr.write(`${level} ${message}${detail}\n`);
  };
  const logger: LoggerService = {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: () => {},
    child: () => logger,
  };
  return logger;
}

async function main() {
  const source = ConfigSources.default({
    argv: process.argv.slice(2),
    rootDir: process.cwd(),
  });
  const config = await ConfigSources.toConfig(source);
  try {
    const result = await reencryptClusterSecrets(config, consoleLogger());
    process.stdout.write(
      `re-encrypted ${result.rewritten} of ${result.checked} clusters' secrets under the current key\n`,
    );
    if (result.stale) {
      // Written meanwhile by a replica that still encrypts with an older key.
      throw new Error(
        `${result.stale} cluster(s) are still under an older key (a replica not yet restarted with the new key wrote them); run again once every replica has it`,
      );
    }
  } finally {
    config.close();
  }
}

if (require.main === module) {
  // Exits explicitly: the database manager keeps timers of its own alive.
  main().then(
    () => process.exit(0),
    error => {
      process.stderr.write(`reencrypt-secrets failed: ${error.message}\n`);
      process.exit(1);
    },
  );
}
