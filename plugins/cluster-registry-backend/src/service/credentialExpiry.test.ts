import { certificateValidUntil as certificate } from '../__testUtils__/certificates';
import {
  certificateExpiry,
  credentialExpiry,
  expiredMessage,
  isExpired,
  jwtExpiry,
} from './credentialExpiry';

const b64url = (value: object | string) =>
  Buffer.from(
    typeof value === 'string' ? value : JSON.stringify(value),
  ).toString('base64url');
const jwt = (claims: object) =>
  `${b64url({ alg: 'RS256', kid: 'k' })}.${b64url(claims)}.c2lnbmF0dXJl`;

describe('credentialExpiry', () => {
  it("reads a JWT's exp and nothing from tokens that are not JWTs", () => {
    expect(
      jwtExpiry(jwt({ sub: 'system:serviceaccount:a:b', exp: 1_900_000_000 })),
    ).toBe('2030-03-17T17:46:40.000Z');
    for (const token of [
      'a-static-token',
      jwt({ sub: 'x' }), // no exp
      jwt({ exp: '1900000000' }), // not a number
      jwt({ exp: -1 }),
      jwt({ exp: 1e300 }), // beyond a Date
      `${b64url('{}')}.${b64url('not json')}.sig`,
      'a.b.c',
      `x.${'A'.repeat(20_000)}.y`, // too long to be a credential's claims
    ])
      expect(jwtExpiry(token)).toBeUndefined();
  });

  it("reads a client certificate's notAfter, and nothing from what is not one", async () => {
    const notAfter = new Date('2027-01-15T12:00:00Z');
    expect(certificateExpiry(await certificate(notAfter))).toBe(
      notAfter.toISOString(),
    );
    expect(certificateExpiry(b64url('-----BEGIN CERTIFICATE-----'))).toBe(
      undefined,
    );
    expect(certificateExpiry('%%%')).toBeUndefined();
  });

  it('goes by auth type; AWS IAM tokens are minted per request and never expire here', async () => {
    const notAfter = new Date('2026-12-10T00:00:00Z');
    expect(
      credentialExpiry({
        type: 'clientCertificate',
        certData: await certificate(notAfter),
        keyData: 'k',
      }),
    ).toBe(notAfter.toISOString());
    expect(
      credentialExpiry({
        type: 'bearerToken',
        token: jwt({ exp: 1_800_000_000 }),
      }),
    ).toBe(new Date(1_800_000_000_000).toISOString());
    expect(
      credentialExpiry({ type: 'aws', clusterId: 'x' } as any),
    ).toBeUndefined();
  });

  it('says when a credential has expired', () => {
    const now = new Date('2026-12-02T00:00:00Z');
    expect(isExpired('2026-12-01T23:59:59Z', now)).toBe(true);
    expect(isExpired('2026-12-02T00:00:01Z', now)).toBe(false);
    expect(isExpired(undefined, now)).toBe(false);
    expect(
      expiredMessage({ type: 'clientCertificate' }, '2026-12-01T00:00:00.000Z'),
    ).toBe(
      'the client certificate expired on 2026-12-01T00:00:00.000Z: rotate the credentials',
    );
  });
});
