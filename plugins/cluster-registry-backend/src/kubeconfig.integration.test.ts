import {
  acquireTestEnv,
  b64,
  RunningTestEnv,
} from '@internal/cluster-registry-test-env';
import request from 'supertest';
import yaml from 'yaml';
import { startRegistry } from './__testUtils__/startRegistry';

jest.setTimeout(240_000);

describe('kubeconfig inspect and import against real API servers', () => {
  let running: RunningTestEnv;
  let server: any;
  let kubeconfig: string;

  beforeAll(async () => {
    running = await acquireTestEnv({ kubeApiServers: 2 });
    const [a, b] = running.env.kubeApiServers;
    kubeconfig = yaml.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'team-a',
      clusters: [
        {
          name: 'a',
          cluster: {
            server: a.serverUrl,
            'certificate-authority-data': b64(a.caData),
          },
        },
        {
          name: 'b',
          cluster: {
            server: b.serverUrl,
            'certificate-authority-data': b64(b.caData),
          },
        },
        {
          name: 'eks',
          cluster: {
            server: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
            'certificate-authority-data': b64(a.caData),
          },
        },
        {
          name: 'files',
          cluster: {
            server: a.serverUrl,
            'certificate-authority': '/etc/kubernetes/ca.crt',
          },
        },
      ],
      users: [
        { name: 'a-admin', user: { token: a.adminToken } },
        {
          name: 'b-cert',
          user: {
            'client-certificate-data': b64(b.adminCertData),
            'client-key-data': b64(b.adminKeyData),
          },
        },
        { name: 'a-nobody', user: { token: a.noRightsToken } },
        {
          name: 'eks-user',
          user: {
            exec: {
              apiVersion: 'client.authentication.k8s.io/v1beta1',
              command: 'aws',
              args: ['eks', 'get-token', '--cluster-name', 'prod-eks'],
            },
          },
        },
        {
          name: 'oidc',
          user: {
            'auth-provider': {
              name: 'oidc',
              config: { 'idp-issuer-url': 'https://idp.example' },
            },
          },
        },
        {
          name: 'file-user',
          user: {
            'client-certificate': '/home/me/.kube/me.crt',
            'client-key': '/home/me/.kube/me.key',
          },
        },
      ],
      contexts: [
        { name: 'team-a', context: { cluster: 'a', user: 'a-admin' } },
        { name: 'Team_B (cert)', context: { cluster: 'b', user: 'b-cert' } },
        { name: 'team-a-nobody', context: { cluster: 'a', user: 'a-nobody' } },
        {
          name: 'arn:aws:eks:eu-west-1:123456789012:cluster/prod-eks',
          context: { cluster: 'eks', user: 'eks-user' },
        },
        { name: 'oidc', context: { cluster: 'a', user: 'oidc' } },
        { name: 'files', context: { cluster: 'files', user: 'file-user' } },
      ],
    });
    server = await startRegistry();
  });
  afterAll(() => running?.stop());

  it('lists every context with server, auth kind and why it is unusable', async () => {
    const res = await request(server)
      .post('/api/cluster-registry/kubeconfig/inspect')
      .send({ kubeconfig });
    expect(res.status).toBe(200);
    expect(res.body.currentContext).toBe('team-a');
    const byContext = Object.fromEntries(
      res.body.contexts.map((c: any) => [c.context, c]),
    );
    expect(byContext['team-a']).toMatchObject({
      usable: true,
      authKind: 'token',
      suggestedName: 'team-a',
    });
    expect(byContext['Team_B (cert)']).toMatchObject({
      usable: true,
      authKind: 'clientCertificate',
      suggestedName: 'team-b-cert',
    });
    expect(
      byContext['arn:aws:eks:eu-west-1:123456789012:cluster/prod-eks'],
    ).toMatchObject({
      usable: false,
      authKind: 'exec',
      suggestedName: 'prod-eks',
      reason: expect.stringMatching(
        /AWS IAM auth instead \(cluster id prod-eks\)/,
      ),
    });
    expect(byContext.oidc).toMatchObject({
      usable: false,
      authKind: 'authProvider',
      reason: expect.stringMatching(/OIDC/),
    });
    expect(byContext.files).toMatchObject({
      usable: false,
      authKind: 'file',
      reason: expect.stringMatching(/--flatten/),
    });
    expect(JSON.stringify(res.body)).not.toContain(
      running.env.kubeApiServers[0].adminToken,
    );
  });

  it('imports the picked contexts, each with its own result', async () => {
    const res = await request(server)
      .post('/api/cluster-registry/kubeconfig/import')
      .send({
        kubeconfig,
        category: 'dev',
        contexts: [
          { context: 'team-a', title: 'Team A' },
          { context: 'Team_B (cert)', name: 'team-b', category: 'prod' },
          { context: 'team-a-nobody', name: 'nobody' },
          { context: 'oidc' },
          { context: 'missing' },
        ],
      });
    expect(res.status).toBe(200);
    const [a, b, nobody, oidc, missing] = res.body.results;
    expect(a).toMatchObject({
      status: 'created',
      name: 'team-a',
      cluster: {
        title: 'Team A',
        category: 'dev',
        status: { permissionLevel: 'admin' },
      },
    });
    expect(b).toMatchObject({
      status: 'created',
      name: 'team-b',
      cluster: {
        category: 'prod',
        auth: { type: 'clientCertificate', keySet: true },
      },
    });
    expect(nobody).toMatchObject({
      status: 'failed',
      error: {
        name: 'InputError',
        message: expect.stringMatching(
          /^auth: verification failed \(forbidden\)/,
        ),
      },
    });
    expect(oidc).toMatchObject({
      status: 'failed',
      error: { message: expect.stringMatching(/interactive login/) },
    });
    expect(missing).toMatchObject({
      status: 'failed',
      error: { message: expect.stringMatching(/no context named 'missing'/) },
    });

    const list = await request(server).get('/api/cluster-registry/clusters');
    expect(list.body.items.map((c: any) => c.name)).toEqual([
      'team-a',
      'team-b',
    ]);

    const again = await request(server)
      .post('/api/cluster-registry/kubeconfig/import')
      .send({ kubeconfig, contexts: [{ context: 'team-a' }] });
    expect(again.body.results[0]).toMatchObject({
      status: 'failed',
      error: { name: 'ConflictError' },
    });
  });

  it('rotates credentials with a whole new kubeconfig', async () => {
    const rotated = await request(server)
      .put('/api/cluster-registry/clusters/team-a/credentials')
      .send({ kubeconfig, context: 'Team_B (cert)' });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({
      serverUrl: running.env.kubeApiServers[1].serverUrl,
      auth: { type: 'clientCertificate', keySet: true },
      status: { state: 'running', permissionLevel: 'admin' },
    });
    const both = await request(server)
      .put('/api/cluster-registry/clusters/team-a/credentials')
      .send({
        kubeconfig,
        context: 'team-a',
        auth: { type: 'bearerToken', token: 'x' },
      });
    expect(both.body.error.message).toMatch(/^auth: comes from the kubeconfig/);
    const unusable = await request(server)
      .put('/api/cluster-registry/clusters/team-a/credentials')
      .send({ kubeconfig, context: 'oidc' });
    expect(unusable.status).toBe(400);
    expect(unusable.body.error.message).toMatch(/interactive login/);
  });

  it('refuses malformed kubeconfigs with the field', async () => {
    for (const bad of ['{', 'apiVersion: v1\nkind: Config\n', 'just text']) {
      const res = await request(server)
        .post('/api/cluster-registry/kubeconfig/inspect')
        .send({ kubeconfig: bad });
      expect([bad, res.status, res.body.error?.message]).toEqual([
        bad,
        400,
        expect.stringMatching(/^kubeconfig: /),
      ]);
    }
    const noPick = await request(server)
      .post('/api/cluster-registry/kubeconfig/import')
      .send({ kubeconfig, contexts: [] });
    expect(noPick.body.error.message).toMatch(
      /^contexts: must NOT have fewer than 1 items/,
    );
  });
});
