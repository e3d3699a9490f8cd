import { serverUrlSchema } from '@cluster-registry/plugin-cluster-registry-common';
import net from 'node:net';
import { AddressPolicy } from './AddressPolicy';

/** The host the contract stores for a URL, as the policy sees it. */
const hostOf = (url: string) => new URL(serverUrlSchema.parse(url)).hostname;

describe('AddressPolicy', () => {
  const policy = new AddressPolicy();

  it.each([
    'https://169.254.169.254',
    'https://2852039166', // decimal
    'https://0xa9fea9fe', // hex
    'https://0251.0376.0251.0376', // octal
    'https://0xa9.254.0251.254',
    'https://169.254.169.254.', // trailing dot
    'https://[::ffff:169.254.169.254]',
    'https://[::ffff:a9fe:a9fe]',
    'https://[::a9fe:a9fe]', // IPv4-compatible
    'https://[64:ff9b::a9fe:a9fe]', // NAT64
    'https://[64:ff9b:1::a9fe:a9fe]', // local-use NAT64
    'https://[2002:a9fe:a9fe::1]', // 6to4
    'https://[fe80::1]',
    'https://[fd00:ec2::254]',
    'https://100.100.100.200',
    'https://168.63.129.16',
    'https://metadata.google.internal',
    'https://metadata.google.internal.',
    'https://METADATA.GOOGLE.INTERNAL..',
    'https://metadata',
    'https://0.0.0.0',
    'https://[::]',
    'https://224.0.0.1',
    'https://255.255.255.255',
    'https://240.0.0.1',
    'https://%31%36%39.254.169.254', // percent-encoded
  ])('refuses %s', url => {
    expect(policy.checkHost(hostOf(url))).toEqual(expect.any(String));
  });

  it.each([
    'https://127.0.0.1:6443',
    'https://[::1]:6443',
    'https://localhost:6443',
    'https://10.0.0.1',
    'https://192.168.1.10',
    'https://172.16.0.5',
    'https://[fd12:3456::1]',
    'https://abc.gr7.eu-west-1.eks.amazonaws.com',
    'https://8.8.8.8',
  ])('allows %s by default', url => {
    expect(policy.checkHost(hostOf(url))).toBeUndefined();
  });

  it('refuses loopback and private ranges when configured, in every notation', () => {
    const strict = new AddressPolicy({
      allowLoopback: false,
      allowPrivate: false,
    });
    for (const url of [
      'https://127.0.0.1',
      'https://2130706433',
      'https://0x7f.1',
      'https://[::ffff:127.0.0.1]',
      'https://localhost',
      'https://api.localhost',
      'https://10.1.2.3',
      'https://[::ffff:10.1.2.3]',
      'https://[fc00::1]',
    ]) {
      expect(strict.checkHost(hostOf(url))).toEqual(expect.any(String));
    }
    expect(strict.checkHost('8.8.8.8')).toBeUndefined();
  });

  it('allows what dangerouslyAllow lists and refuses what deny lists', () => {
    const custom = new AddressPolicy({
      dangerouslyAllow: ['169.254.10.0/24', 'metadata'],
      deny: ['203.0.113.0/24', 'evil.example.com'],
    });
    expect(custom.checkHost('169.254.10.7')).toBeUndefined();
    expect(custom.checkHost('169.254.169.254')).toEqual(expect.any(String));
    expect(custom.checkHost('metadata')).toBeUndefined();
    expect(custom.checkHost('203.0.113.9')).toMatch(/deny/);
    expect(custom.checkHost('EVIL.example.com.')).toMatch(/deny/);
    expect(() => new AddressPolicy({ deny: ['not a cidr!'] })).toThrow(
      /addressPolicy.deny/,
    );
  });

  it('reads bare hosts (SSH bastions) in inet_aton notation as addresses', () => {
    for (const host of [
      '2852039166',
      '0xa9fea9fe',
      '0251.0376.0251.0376',
      '169.254.43518',
    ]) {
      expect(policy.checkHost(host)).toMatch(/169\.254\.169\.254/);
    }
    expect(policy.checkHost('10.0.0.1')).toBeUndefined();
  });

  it('names the field in a 400', () => {
    expect(() =>
      policy.assertUrl('prometheus.url', 'http://169.254.169.254/'),
    ).toThrow(/^prometheus\.url: the address policy refuses/);
  });

  describe('at connect time', () => {
    const lookup = (p: AddressPolicy, host: string, all = false) =>
      new Promise<{ error?: any; address?: unknown }>(resolve =>
        p.lookup(host, { all } as any, (error: any, address: any) =>
          resolve({ error, address }),
        ),
      );

    it('refuses a name whose DNS answer is a refused address', async () => {
      const rebinding = new AddressPolicy({
        resolve: async () => [
          { address: '10.0.0.1', family: 4 },
          { address: '169.254.169.254', family: 4 },
        ],
      });
      const { error } = await lookup(rebinding, 'cluster.example.com');
      expect(error.code).toBe('EADDRNOTALLOWED');
      expect(error.message).toMatch(/resolves to 169\.254\.169\.254/);
    });

    it('hands allowed answers on in both callback forms', async () => {
      const ok = new AddressPolicy({
        resolve: async () => [{ address: '10.0.0.1', family: 4 }],
      });
      expect((await lookup(ok, 'cluster.example.com')).address).toBe(
        '10.0.0.1',
      );
      expect((await lookup(ok, 'cluster.example.com', true)).address).toEqual([
        { address: '10.0.0.1', family: 4 },
      ]);
    });

    it('refuses localhost through the real resolver when loopback is refused', async () => {
      const { error } = await lookup(
        new AddressPolicy({ allowLoopback: false }),
        'localhost',
      );
      expect(error.code).toBe('EADDRNOTALLOWED');
    });

    it('stops a real connection before it is made', async () => {
      const server = net.createServer(socket => socket.end());
      await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as net.AddressInfo).port;
      let accepted = 0;
      server.on('connection', () => accepted++);
      const strict = new AddressPolicy({
        resolve: async () => [{ address: '127.0.0.1', family: 4 }],
        deny: ['127.0.0.0/8'],
      });
      const error = await new Promise<any>(resolve => {
        const socket = net.connect({
          host: 'cluster.example.com',
          port,
          lookup: strict.lookup,
        });
        socket.on('error', resolve);
        socket.on('connect', () => resolve(undefined));
      });
      server.close();
      expect(error?.code).toBe('EADDRNOTALLOWED');
      expect(accepted).toBe(0);
    });
  });
});
