import os from 'node:os';
import path from 'node:path';

/**
 * Per-machine cache shared by every clone (built binaries, the moto virtualenv).
 * Same location as scripts/lib/env.sh uses for Node.
 */
export function cacheDir(): string {
  return (
    process.env.CLUSTER_REGISTRY_CACHE ??
    path.join(
      process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'),
      'cluster-registry',
    )
  );
}

export function log(message: string) {
  process.stderr.write(`[test-env] ${message}\n`);
}

export const isRoot = () => process.getuid?.() === 0;
