import fs from 'node:fs';
import { isRoot, log } from './paths';
import { run } from './processes';

let updated = false;

/**
 * Makes sure the Debian package that provides `binary` is installed. As root it
 * installs missing packages with apt-get; otherwise it says what is missing.
 */
export async function ensureDebianPackage(binary: string, pkg: string) {
  if (fs.existsSync(binary)) return;
  if (!isRoot()) {
    throw new Error(
      `${binary} is missing: install the Debian package '${pkg}' (apt-get install ${pkg})`,
    );
  }
  log(`installing Debian package ${pkg}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!updated) {
    await run('apt-get', ['update', '-qq'], { env });
    updated = true;
  }
  await run(
    'apt-get',
    ['install', '-y', '-qq', '--no-install-recommends', pkg],
    { env },
  );
  if (!fs.existsSync(binary)) {
    throw new Error(`installed ${pkg} but ${binary} is still missing`);
  }
}

/** wrk, the HTTP load generator the benchmarks measure with (Debian's `wrk`). */
export async function ensureWrk(): Promise<string> {
  const binary = '/usr/bin/wrk';
  await ensureDebianPackage(binary, 'wrk');
  return binary;
}
