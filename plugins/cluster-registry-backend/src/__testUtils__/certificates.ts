import * as x509 from '@peculiar/x509';
import crypto from 'node:crypto';

/** A self-signed certificate valid until notAfter, as base64 of its PEM. */
export async function certificateValidUntil(notAfter: Date): Promise<string> {
  x509.cryptoProvider.set(crypto.webcrypto as any);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await crypto.webcrypto.subtle.generateKey(alg, true, [
    'sign',
    'verify',
  ]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=expiring',
    notBefore: new Date(notAfter.getTime() - 3600_000),
    notAfter,
    keys: keys as any,
    signingAlgorithm: alg,
  });
  return Buffer.from(cert.toString('pem')).toString('base64');
}
