import bcrypt from 'bcryptjs';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { ensureDebianPackage } from '../debian';
import {
  freePort,
  ManagedProcess,
  startProcess,
  stopProcess,
  waitFor,
} from '../processes';
import { makeServerCertificate } from '../tls';
import { PrometheusEnv } from '../types';

const binary = '/usr/bin/prometheus';

/** A Prometheus config that scrapes the instance itself every second. */
export function selfScrapeConfig(port: number) {
  return {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    scrape_configs: [
      {
        job_name: 'prometheus',
        static_configs: [{ targets: [`127.0.0.1:${port}`] }],
      },
    ],
  };
}

/** One Prometheus on 127.0.0.1:port (of a network namespace, if given). */
export function startPrometheusInstance(
  dir: string,
  port: number,
  config: object,
  webConfig?: object,
  namespace?: string,
): ManagedProcess {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'prometheus.yml'),
    JSON.stringify(config, null, 2),
  );
  const args = [
    `--config.file=${path.join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ];
  if (webConfig) {
    fs.writeFileSync(
      path.join(dir, 'web.yml'),
      JSON.stringify(webConfig, null, 2),
    );
    args.push(`--web.config.file=${path.join(dir, 'web.yml')}`);
  }
  const logs = { logFile: path.join(dir, 'prometheus.log') };
  return namespace
    ? startProcess(
        `prometheus ${path.basename(dir)} in ${namespace}`,
        'ip',
        ['netns', 'exec', namespace, binary, ...args],
        logs,
      )
    : startProcess(`prometheus ${path.basename(dir)}`, binary, args, logs);
}

/** GET over HTTPS with a CA and Basic credentials; resolves with the status. */
function httpsStatus(url: string, ca: string, auth: string): Promise<number> {
  return new Promise((resolve, reject) => {
    https
      .get(
        url,
        {
          ca,
          headers: {
            authorization: `Basic ${Buffer.from(auth).toString('base64')}`,
          },
        },
        res => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      )
      .on('error', reject);
  });
}

/**
 * Two Debian Prometheus servers, each scraping itself every second so a real
 * query has data within seconds:
 *  - an anonymous one over plain HTTP;
 *  - one that requires Basic auth and serves TLS (--web.config.file).
 */
export async function startPrometheus(stateDir: string) {
  await ensureDebianPackage(binary, 'prometheus');
  const root = path.join(stateDir, 'prometheus');
  fs.rmSync(root, { recursive: true, force: true });

  const anonymousPort = await freePort();
  const anonymous = startPrometheusInstance(
    path.join(root, 'anonymous'),
    anonymousPort,
    selfScrapeConfig(anonymousPort),
  );

  const username = 'prom-user';
  const password = crypto.randomBytes(12).toString('hex');
  const cert = await makeServerCertificate(
    path.join(root, 'secure', 'tls'),
    'prometheus',
  );
  const securePort = await freePort();
  const secure = startPrometheusInstance(
    path.join(root, 'secure'),
    securePort,
    {
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      scrape_configs: [
        {
          job_name: 'prometheus',
          scheme: 'https',
          tls_config: { ca_file: cert.caFile },
          basic_auth: { username, password },
          static_configs: [{ targets: [`127.0.0.1:${securePort}`] }],
        },
      ],
    },
    {
      tls_server_config: { cert_file: cert.certFile, key_file: cert.keyFile },
      basic_auth_users: { [username]: bcrypt.hashSync(password, 10) },
    },
  );

  const anonymousUrl = `http://127.0.0.1:${anonymousPort}`;
  const secureUrl = `https://127.0.0.1:${securePort}`;
  await Promise.all([
    waitFor(
      'prometheus (anonymous)',
      async () => (await fetch(`${anonymousUrl}/-/ready`)).ok,
      { process: anonymous },
    ),
    waitFor(
      'prometheus (basic auth, TLS)',
      async () =>
        (await httpsStatus(
          `${secureUrl}/-/ready`,
          cert.caPem,
          `${username}:${password}`,
        )) === 200,
      { process: secure },
    ),
  ]);

  const env: PrometheusEnv = {
    anonymousUrl,
    secureUrl,
    username,
    password,
    caData: cert.caPem,
    pids: [anonymous.pid, secure.pid],
  };
  return {
    env,
    processes: [anonymous, secure],
    stop: async () => {
      await Promise.all([stopProcess(anonymous), stopProcess(secure)]);
    },
  };
}
