import { credentialExpiryWarning, expiryText } from './credentialExpiry';

describe('credentialExpiryWarning', () => {
  const now = Date.parse('2026-12-02T12:00:00Z');
  const token = (expiresAt?: string) => ({
    auth: { type: 'bearerToken' as const, tokenSet: true, expiresAt },
  });

  it('is silent about a minted ServiceAccount token the registry renews, until it has expired', () => {
    const minted = (expiresAt: string) => ({
      ...token(expiresAt),
      serviceAccount: { name: 'sa' },
    });
    expect(
      credentialExpiryWarning(minted('2026-12-05T18:00:00Z'), 14, now),
    ).toBeUndefined();
    expect(
      credentialExpiryWarning(minted('2026-12-01T18:00:00Z'), 14, now),
    ).toMatchObject({ expired: true });
  });

  it('warns within the window, says when it expired, and is silent otherwise', () => {
    expect(
      credentialExpiryWarning(token('2026-12-20T12:00:00Z'), 14, now),
    ).toBeUndefined();
    expect(credentialExpiryWarning(token(), 14, now)).toBeUndefined();
    expect(
      credentialExpiryWarning({ auth: undefined }, 14, now),
    ).toBeUndefined();

    const soon = credentialExpiryWarning(
      token('2026-12-05T18:00:00Z'),
      14,
      now,
    )!;
    expect(soon).toMatchObject({ expired: false, days: 3 });
    expect(expiryText(soon)).toMatch(/^The bearer token expires in 3 days \(/);
    const lastDay = credentialExpiryWarning(
      {
        auth: {
          type: 'clientCertificate',
          certData: 'x',
          keySet: true,
          expiresAt: '2026-12-02T20:00:00Z',
        },
      },
      14,
      now,
    )!;
    expect(expiryText(lastDay)).toMatch(
      /^The client certificate expires within a day/,
    );
    const expired = credentialExpiryWarning(
      token('2026-12-01T00:00:00Z'),
      14,
      now,
    )!;
    expect(expired.expired).toBe(true);
    expect(expiryText(expired)).toMatch(/^The bearer token expired on /);
  });
});
