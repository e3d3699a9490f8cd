import { mockServices } from '@backstage/backend-test-utils';
import { ClusterRecord, ClusterStore } from '../database/types';
import { verifyCluster } from '../kubernetes/verifyCluster';
import { AddressPolicy } from '@cluster-registry/plugin-cluster-registry-node';
import { ClusterService, statusFromProbe } from './ClusterService';

describe('ClusterService.isDialable (what /internal/connections hands out)', () => {
  // A name whose DNS answer was re-pointed at the metadata address after it
  // was registered (no DNS server needed: the policy's resolver answers).
  const rebound = new AddressPolicy({
    resolve: async () => [{ address: '169.254.169.254', family: 4 }],
  });
  const record = (status: ClusterRecord['status']): ClusterRecord => ({
    name: 'rebound',
    title: 'rebound',
    labels: {},
    isolated: false,
    serverUrl: 'https://cluster.example.com:6443',
    auth: { type: 'bearerToken' },
    tls: { insecureSkipTlsVerify: false },
    connection: { method: 'direct' },
    secretKeys: ['token'],
    origin: { type: 'registered' },
    status,
    createdAt: '2026-12-01T00:00:00Z',
    updatedAt: '2026-12-01T00:00:00Z',
    createdBy: 'test',
    updatedBy: 'test',
  });

  it('withholds a cluster whose last check was refused by the address policy at connect time', async () => {
    const options = {
      timeoutMs: 2000,
      supportedVersions: { min: '1.28' },
      addressPolicy: rebound,
    };
    const service = new ClusterService({} as ClusterStore, {
      verify: options,
      permissions: mockServices.permissions(),
    });
    const healthy = record({ state: 'running' });
    expect(service.isDialable(healthy)).toBe(true);

    // What the health sweep records when it dials the name now.
    const probe = await verifyCluster(
      {
        name: 'rebound',
        serverUrl: healthy.serverUrl!,
        auth: { type: 'bearerToken' },
        tls: healthy.tls,
        secrets: { token: 't' },
      },
      options,
    );
    expect(probe).toMatchObject({ ok: false, reason: 'unreachable' });
    expect(probe.message).toMatch(/resolves to 169\.254\.169\.254/);
    expect(service.isDialable(record(statusFromProbe(probe)))).toBe(false);
    // An ordinary outage does not withhold it.
    expect(
      service.isDialable(
        record({
          state: 'unreachable',
          message: 'cannot reach x: ECONNREFUSED',
        }),
      ),
    ).toBe(true);
  });
});
