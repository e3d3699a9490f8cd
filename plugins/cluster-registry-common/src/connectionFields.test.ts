import { connectionFromFields } from './connectionFields';
import { clusterConnectionSchema } from './schemas';

describe('connectionFromFields', () => {
  it('builds each method in the contract shape', () => {
    expect(connectionFromFields({})).toEqual({ method: 'direct' });
    expect(
      connectionFromFields({
        method: 'proxy',
        proxyUrl: 'http://proxy:3128',
        proxyUsername: 'u',
        proxyPassword: 'p',
      }),
    ).toEqual({
      method: 'proxy',
      proxyUrl: 'http://proxy:3128',
      username: 'u',
      password: 'p',
    });
    const ssh = connectionFromFields({
      method: 'sshTunnel',
      sshHost: 'bastion',
      sshUsername: 'ops',
      sshPrivateKey: 'KEY',
      sshHostKeys: [],
    });
    expect(ssh).toEqual({
      method: 'sshTunnel',
      sshTunnel: {
        host: 'bastion',
        port: 22,
        username: 'ops',
        privateKey: 'KEY',
      },
    });
    expect(clusterConnectionSchema.safeParse(ssh).success).toBe(true);
  });

  it('sends missing required values empty, for the rules to name the field', () => {
    const parsed = clusterConnectionSchema.safeParse(
      connectionFromFields({ method: 'sshTunnel' }),
    );
    expect(parsed.success).toBe(false);
    expect(
      parsed.success ? [] : parsed.error.issues.map(i => i.path.join('.')),
    ).toEqual(expect.arrayContaining(['sshTunnel.host', 'sshTunnel.username']));
  });
});
