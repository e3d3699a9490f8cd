import fs from 'node:fs';
import path from 'node:path';
import { run } from './processes';

export interface ServerCertificate {
  caFile: string;
  certFile: string;
  keyFile: string;
  caPem: string;
}

/**
 * A CA and a serving certificate for 127.0.0.1/localhost (or the given
 * subjectAltNames, e.g. `DNS:sts.us-east-1.amazonaws.com`), made with the
 * openssl command, for services that need TLS (Prometheus' secure instance,
 * the EKS stand-in's STS front).
 */
export async function makeServerCertificate(
  dir: string,
  name: string,
  subjectAltNames: string[] = ['IP:127.0.0.1', 'DNS:localhost'],
): Promise<ServerCertificate> {
  fs.mkdirSync(dir, { recursive: true });
  const f = (n: string) => path.join(dir, n);
  const ec = [
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
  ];
  await run('openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
    '-subj',
    `/CN=${name}-ca`,
    '-days',
    '365',
  ]);
  await run('openssl', [
    'req',
    ...ec,
    '-keyout',
    f('server.key'),
    '-out',
    f('server.csr'),
    '-subj',
    `/CN=${name}`,
  ]);
  fs.writeFileSync(
    f('san.ext'),
    `subjectAltName=${subjectAltNames.join(',')}\n`,
  );
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('server.crt'),
    '-days',
    '365',
    '-extfile',
    f('san.ext'),
  ]);
  return {
    caFile: f('ca.crt'),
    certFile: f('server.crt'),
    keyFile: f('server.key'),
    caPem: fs.readFileSync(f('ca.crt'), 'utf8'),
  };
}
