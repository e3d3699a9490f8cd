import * as x509 from '@peculiar/x509';
import crypto from 'node:crypto';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

function pem(label: string, der: ArrayBuffer): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join(
    '\n',
  )}\n-----END ${label}-----\n`;
}

/** A certificate and its private key, PEM. */
export interface KeyPairPem {
  cert: string;
  key: string;
}

/**
 * The TLS identity of this process's loopback bridges, made at start-up
 * and kept in memory only: a CA, a server certificate for 127.0.0.1 that the
 * bridges present, and a client certificate the bridges demand (so that a
 * local process without it cannot borrow a cluster's credentials through a
 * bridge). Valid for a year from the start of the process (not renewed).
 */
export interface BridgeIdentity {
  caPem: string;
  server: KeyPairPem;
  client: KeyPairPem;
}

export async function createBridgeIdentity(): Promise<BridgeIdentity> {
  const subtle = crypto.webcrypto.subtle as any;
  x509.cryptoProvider.set(crypto.webcrypto as any);
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + 365 * 24 * 3600_000);
  const serial = () => crypto.randomBytes(12).toString('hex');
  const caKeys = await subtle.generateKey(ALG, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=cluster-registry loopback bridge CA',
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
    ],
  });
  const leaf = async (cn: string, usage: string, ip?: string) => {
    const keys = await subtle.generateKey(ALG, true, ['sign', 'verify']);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: `CN=${cn}`,
      issuer: ca.subject,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.ExtendedKeyUsageExtension([usage]),
        ...(ip
          ? [
              new x509.SubjectAlternativeNameExtension([
                { type: 'ip', value: ip },
              ]),
            ]
          : []),
      ],
    });
    return {
      cert: cert.toString('pem'),
      key: pem('PRIVATE KEY', await subtle.exportKey('pkcs8', keys.privateKey)),
    };
  };
  return {
    caPem: ca.toString('pem'),
    server: await leaf('127.0.0.1', SERVER_AUTH, '127.0.0.1'),
    client: await leaf('cluster-registry bridge client', CLIENT_AUTH),
  };
}
