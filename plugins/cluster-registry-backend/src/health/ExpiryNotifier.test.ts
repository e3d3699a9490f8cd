import { mockServices } from '@backstage/backend-test-utils';
import { ClusterRecord } from '../database/types';
import { ExpiryNotifier } from './ExpiryNotifier';

const DAY = 24 * 3600_000;
const now = Date.parse('2026-12-02T12:00:00Z');

const cluster = (
  name: string,
  expiresAt: string | undefined,
  owner?: string,
): ClusterRecord => ({
  name,
  title: name.toUpperCase(),
  labels: {},
  isolated: false,
  serverUrl: `https://${name}.example:6443`,
  auth: { type: 'clientCertificate', certData: 'x', expiresAt },
  tls: { insecureSkipTlsVerify: false },
  connection: { method: 'direct' },
  secretKeys: ['clientKeyData'],
  origin: { type: 'registered' },
  status: { state: 'running' },
  owner,
  createdAt: '2026-12-01T00:00:00Z',
  updatedAt: '2026-12-01T00:00:00Z',
  createdBy: 'test',
  updatedBy: 'test',
});

function notifier(send: jest.Mock, fallbackRecipients: string[] = []) {
  const notices = new Map<string, string>();
  const n = new ExpiryNotifier({
    store: {
      listExpiryNotices: async () => new Map(notices),
      claimExpiryNotice: async (name, notice, expected) => {
        if (notices.get(name) !== expected) return false;
        if (notice === undefined) notices.delete(name);
        else notices.set(name, notice);
        return true;
      },
    },
    notifications: { send },
    logger: mockServices.logger.mock(),
    settings: { warningDays: 7, fallbackRecipients },
  });
  return { n, notices };
}

describe('ExpiryNotifier', () => {
  it('sends soon, then expired, once each; to the owner or the configured recipients', async () => {
    const send = jest.fn(async () => {});
    const { n, notices } = notifier(send, ['group:default/platform']);
    const soon = new Date(now + 2 * DAY).toISOString();
    const clusters = [
      cluster('a', soon, 'group:default/team-a'),
      cluster('b', soon),
      cluster('later', new Date(now + 30 * DAY).toISOString()),
      cluster('none', undefined),
    ];
    expect(await n.notify(clusters, now)).toBe(2);
    expect(send.mock.calls.map((c: any) => c[0].recipients.entityRef)).toEqual([
      ['group:default/team-a'],
      ['group:default/platform'],
    ]);
    expect((send.mock.calls[0] as any)[0].payload).toMatchObject({
      title: 'The credentials of cluster A expire in 2 days',
      severity: 'high',
      link: '/clusters/a',
    });
    expect(await n.notify(clusters, now + DAY)).toBe(0);

    // Expired: a second, critical notice.
    expect(await n.notify(clusters, now + 3 * DAY)).toBe(2);
    expect((send.mock.calls[2] as any)[0].payload).toMatchObject({
      title: 'The credentials of cluster A have expired',
      severity: 'critical',
    });
    expect(notices.get('a')).toBe(`expired:${soon}`);
  });

  it('keeps trying when sending fails, and says nothing where nobody is to hear', async () => {
    const failing = jest.fn(async (): Promise<void> => {
      throw new Error('notifications is not installed');
    });
    const soon = new Date(now + DAY).toISOString();
    const { n, notices } = notifier(failing);
    expect(await n.notify([cluster('a', soon, 'user:default/x')], now)).toBe(0);
    expect(notices.size).toBe(0);
    // The next sweep tries again.
    failing.mockImplementationOnce(async () => {});
    expect(await n.notify([cluster('a', soon, 'user:default/x')], now)).toBe(1);
    expect(failing).toHaveBeenCalledTimes(2);
    expect(notices.get('a')).toBe(`soon:${soon}`);

    const send = jest.fn(async () => {});
    const { n: quiet } = notifier(send);
    expect(await quiet.notify([cluster('orphan', soon)], now)).toBe(0);
    expect(send).not.toHaveBeenCalled();
  });
});
