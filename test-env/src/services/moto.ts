import { resolvePackagePath } from '@backstage/backend-plugin-api';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cacheDir, log } from '../paths';
import { run, startProcess, stopProcess, waitFor } from '../processes';
import { MotoEnv } from '../types';

const motoDir = resolvePackagePath(
  '@internal/cluster-registry-test-env',
  'moto',
);

/** A virtualenv with moto[server], cached per machine by the requirements' hash. */
export async function ensureMotoVenv(): Promise<string> {
  const requirements = fs.readFileSync(path.join(motoDir, 'requirements.txt'));
  const hash = crypto
    .createHash('sha256')
    .update(requirements)
    .digest('hex')
    .slice(0, 12);
  const venv = path.join(cacheDir(), `moto-venv-${hash}`);
  const python = path.join(venv, 'bin', 'python');
  if (fs.existsSync(path.join(venv, '.complete'))) return python;
  log(`creating the moto virtualenv in ${venv} (pip install moto[server])`);
  fs.rmSync(venv, { recursive: true, force: true });
  await run('python3', ['-m', 'venv', venv]);
  await run(python, [
    '-m',
    'pip',
    'install',
    '-q',
    '--disable-pip-version-check',
    '-r',
    path.join(motoDir, 'requirements.txt'),
  ]);
  fs.writeFileSync(path.join(venv, '.complete'), '');
  return python;
}

/**
 * moto's server (EKS, EC2, IAM, STS and the rest) on a free loopback port.
 * With `iamManagedPolicies` (the EKS stand-in sets it), IAM knows the
 * AWS-managed policies (`arn:aws:iam::aws:policy/...`), so AttachRolePolicy
 * of e.g. AmazonEKSClusterPolicy succeeds as in AWS
 * (`MOTO_IAM_LOAD_MANAGED_POLICIES=true`; without it moto answers NoSuchEntity).
 */
export async function startMoto(
  stateDir: string,
  opts: { iamManagedPolicies?: boolean } = {},
) {
  const python = await ensureMotoVenv();
  const dir = path.join(stateDir, 'moto');
  fs.rmSync(dir, { recursive: true, force: true });
  const logFile = path.join(dir, 'moto.log');
  const proc = startProcess(
    'moto',
    python,
    ['-u', path.join(motoDir, 'server.py')],
    {
      logFile,
      env: {
        ...process.env,
        MOTO_IAM_LOAD_MANAGED_POLICIES: opts.iamManagedPolicies
          ? 'true'
          : 'false',
      },
    },
  );
  const started = await waitFor(
    'moto',
    async () => {
      const line = fs
        .readFileSync(logFile, 'utf8')
        .split('\n')
        .find(l => l.startsWith('{"endpoint"'));
      return line
        ? (JSON.parse(line) as {
            endpoint: string;
            credentialsEndpoint: string;
          })
        : undefined;
    },
    { process: proc, timeoutMs: 60_000 },
  );
  const env: MotoEnv = {
    endpoint: started.endpoint,
    credentialsEndpoint: started.credentialsEndpoint,
    iamManagedPolicies: !!opts.iamManagedPolicies,
    region: 'us-east-1',
    // moto accepts any credentials; these are the conventional test values.
    accessKeyId: 'testing',
    secretAccessKey: 'testing',
    pid: proc.pid,
  };
  return { env, process: proc, stop: () => stopProcess(proc) };
}
