import { ClusterRecordWithSecrets } from '../database/types';
import { keepStoredPrometheusSecrets } from './clusterSecrets';

describe('keepStoredPrometheusSecrets', () => {
  const current = {
    prometheus: {
      url: 'https://prom.example:9090',
      auth: { type: 'basic', username: 'metrics' },
      tls: { caData: 'Q0E=', insecureSkipTlsVerify: false },
      throughClusterConnection: false,
    },
    secrets: { prometheusPassword: 'stored' },
  } as unknown as ClusterRecordWithSecrets;
  const edit = (tls: object) => ({
    url: 'https://prom.example:9090/',
    auth: { type: 'basic' as const, username: 'metrics' },
    tls: { insecureSkipTlsVerify: false, ...tls },
    throughClusterConnection: false,
  });

  it('keeps the stored password for the same origin and trust', () => {
    expect(
      keepStoredPrometheusSecrets(edit({ caData: 'Q0E=' }), current).auth,
    ).toMatchObject({ password: 'stored' });
  });

  it('asks for it again when the TLS trust changes: another CA, or verification off', () => {
    for (const tls of [
      { caData: 'T1RIRVI=' },
      { caData: 'Q0E=', insecureSkipTlsVerify: true },
    ])
      expect(() =>
        keepStoredPrometheusSecrets(edit(tls) as any, current),
      ).toThrow(/required again: .*TLS trust changed/);
  });
});
