import { AddressPolicy } from '@cluster-registry/plugin-cluster-registry-node';
import {
  inspectKubeconfig,
  parseKubeconfig,
  registrationFromContext,
} from './inspectKubeconfig';

const policy = new AddressPolicy();
const ca = Buffer.from(
  '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n',
).toString('base64');

const kubeconfig = (users: string) => `
apiVersion: v1
kind: Config
current-context: token
clusters:
- name: local
  cluster: {server: "https://127.0.0.1:6443", certificate-authority-data: ${ca}}
- name: metadata
  cluster: {server: "https://[::ffff:169.254.169.254]"}
users:
${users}
contexts:
- {name: token, context: {cluster: local, user: token}}
- {name: file, context: {cluster: local, user: file}}
- {name: exec, context: {cluster: local, user: exec}}
- {name: metadata, context: {cluster: metadata, user: token}}
`;

describe('kubeconfigs are data', () => {
  it('reports each context, refusing files, programs and refused addresses', async () => {
    const kc = await parseKubeconfig(
      kubeconfig(`- {name: token, user: {token: abc}}
- {name: file, user: {token-file: /etc/passwd}}
- {name: exec, user: {exec: {command: /bin/sh, args: [-c, "touch /tmp/pwned"]}}}`),
    );
    const { currentContext, contexts } = inspectKubeconfig(kc, policy);
    expect(currentContext).toBe('token');
    expect(contexts.map(c => [c.context, c.usable])).toEqual([
      ['token', true],
      ['file', false],
      ['exec', false],
      ['metadata', false],
    ]);
    expect(contexts[1].reason).toMatch(/refers to a file \(token-file\)/);
    expect(contexts[2].reason).toMatch(/never runs programs/);
    expect(contexts[3].reason).toMatch(/address policy refuses the server/);
    expect(contexts[3].serverUrl).toBe('https://[::ffff:a9fe:a9fe]');

    expect(registrationFromContext(kc, 'token', policy)).toMatchObject({
      name: 'token',
      serverUrl: 'https://127.0.0.1:6443',
      auth: { type: 'bearerToken', token: 'abc' },
    });
    expect(() => registrationFromContext(kc, 'file', policy)).toThrow(
      /^context: 'file' the user refers to a file/,
    );
  });

  it('checks types before use and names where', async () => {
    await expect(
      parseKubeconfig(
        'contexts: [{name: [a], context: {cluster: c, user: u}}]',
      ),
    ).rejects.toThrow(
      /^kubeconfig\.contexts\.0\.name: Expected string, received array/,
    );
    await expect(parseKubeconfig('- a')).rejects.toThrow(
      /^kubeconfig: must be a YAML mapping/,
    );
    await expect(parseKubeconfig('apiVersion: v1')).rejects.toThrow(
      /^kubeconfig: has no contexts/,
    );
  });
});
