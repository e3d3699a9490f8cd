import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ClusterRecord, ClusterStore } from '../database/types';
import { verifyCluster } from '../kubernetes/verifyCluster';
import {
  ADDRESS_POLICY_REFUSAL,
  AddressPolicy,
} from '@cluster-registry/plugin-cluster-registry-node';
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

describe('ClusterService.probe with an expired credential', () => {
  it('answers unauthorized "expired on …" without sending it', async () => {
    const dialled: string[] = [];
    // Every address the probe would dial passes this policy first.
    const policy = new AddressPolicy({
      resolve: async host => {
        dialled.push(host);
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    const service = new ClusterService({} as ClusterStore, {
      verify: {
        timeoutMs: 2000,
        supportedVersions: { min: '1.28' },
        addressPolicy: policy,
      },
      permissions: mockServices.permissions(),
    });
    const target = {
      serverUrl: 'https://expired.example.com:6443',
      tls: { insecureSkipTlsVerify: false },
      connection: { method: 'direct' as const },
      secrets: { token: 't' },
    };
    const expired = await service.probe({
      ...target,
      auth: { type: 'bearerToken', expiresAt: '2026-11-30T00:00:00.000Z' },
    });
    expect(expired).toEqual({
      ok: false,
      reason: 'unauthorized',
      field: 'auth',
      message:
        'the bearer token expired on 2026-11-30T00:00:00.000Z: rotate the credentials',
    });
    expect(statusFromProbe(expired)).toMatchObject({
      state: 'unauthorized',
      message: expect.stringMatching(/expired on/),
    });
    expect(dialled).toEqual([]);

    // One that has not expired is dialled as usual.
    await service.probe({
      ...target,
      auth: { type: 'bearerToken', expiresAt: '2999-01-01T00:00:00.000Z' },
    });
    expect(dialled).toEqual(['expired.example.com']);
  });
});

describe('ClusterService: what the Kubernetes module’s kept list hears and reads', () => {
  const base: ClusterRecord = {
    name: 'c',
    title: 'c',
    labels: {},
    isolated: false,
    serverUrl: 'https://127.0.0.1:6443',
    auth: { type: 'bearerToken' },
    tls: { insecureSkipTlsVerify: false },
    connection: { method: 'direct' },
    secretKeys: ['token'],
    origin: { type: 'registered' },
    status: { state: 'unreachable', message: 'cannot reach c: ECONNREFUSED' },
    createdAt: '2026-12-01T00:00:00Z',
    updatedAt: '2026-12-01T00:00:00Z',
    createdBy: 'test',
    updatedBy: 'test',
  };
  const serviceOver = (store: Partial<ClusterStore>) => {
    const announce = jest.fn(async () => {});
    const service = new ClusterService(store as ClusterStore, {
      verify: {
        timeoutMs: 2000,
        supportedVersions: { min: '1.28' },
        addressPolicy: new AddressPolicy(),
      },
      permissions: mockServices.permissions(),
      credentialConsumers: ['kubernetes'],
      announce,
    });
    return { service, announce };
  };

  it('announces a refusal by the address policy though the state stays unreachable', async () => {
    const { service, announce } = serviceOver({
      updateStatuses: async () => {},
    });
    await service.recordHealthOf([
      {
        record: base,
        probe: {
          ok: false,
          reason: 'unreachable',
          message: 'cannot reach c: ECONNREFUSED',
        },
      },
    ]);
    expect(announce).not.toHaveBeenCalled();
    await service.recordHealthOf([
      {
        record: base,
        probe: {
          ok: false,
          reason: 'unreachable',
          message: `${ADDRESS_POLICY_REFUSAL}: c resolves to 169.254.169.254`,
        },
      },
    ]);
    expect(announce).toHaveBeenCalledWith({
      eventId: 'cluster-state',
      cluster: 'c',
    });
  });

  it('answers 404 for one connection whose secrets this key cannot open, as the list leaves it out', async () => {
    const { service } = serviceOver({
      // The store leaves the row out and says why, as for the list.
      listAllClustersWithSecrets: async options => {
        options?.onUnreadable?.('c', new Error('unrecognised secret format'));
        return [];
      },
    });
    await expect(
      service.getConnection('c', {
        credentials: mockCredentials.service('plugin:kubernetes'),
      }),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
      message: expect.stringMatching(/cannot be decrypted/),
    });
  });
});
