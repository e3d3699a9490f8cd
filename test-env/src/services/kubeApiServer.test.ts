import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import {
  adminKubeConfig,
  createNode,
  createServiceAccountToken,
  createWorkload,
  installTerraformCrd,
} from '../kubernetes';
import { tcpOpen } from '../processes';
import { httpsGet } from '../testing/https';
import { startTestEnv, RunningTestEnv } from '../index';

jest.setTimeout(240_000);

describe('self-check: kube-apiserver', () => {
  let running: RunningTestEnv;
  beforeAll(async () => {
    running = await startTestEnv({ kubeApiServers: 2 });
  });
  afterAll(() => running?.stop());

  it('runs independent servers that report a real version', async () => {
    const [a, b] = running.env.kubeApiServers;
    expect(a.serverUrl).not.toEqual(b.serverUrl);
    expect(a.caData).not.toEqual(b.caData);
    for (const server of [a, b]) {
      const res = await httpsGet(`${server.serverUrl}/version`, {
        ca: server.caData,
        token: server.adminToken,
      });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body).gitVersion).toMatch(/^v1\.\d+\.\d+$/);
      expect(server.kubernetesVersion).toBe(JSON.parse(res.body).gitVersion);
    }
  });

  it('authenticates tokens and client certificates, and authorizes with RBAC', async () => {
    const s = running.env.kubeApiServers[0];
    const pods = `${s.serverUrl}/api/v1/namespaces/default/pods`;
    expect(
      (await httpsGet(pods, { ca: s.caData, token: s.adminToken })).status,
    ).toBe(200);
    expect(
      (
        await httpsGet(pods, {
          ca: s.caData,
          cert: s.adminCertData,
          key: s.adminKeyData,
        })
      ).status,
    ).toBe(200);
    expect(
      (await httpsGet(pods, { ca: s.caData, token: s.readOnlyToken })).status,
    ).toBe(200);
    expect(
      (
        await httpsGet(`${s.serverUrl}/api/v1/namespaces/default/secrets`, {
          ca: s.caData,
          token: s.readOnlyToken,
        })
      ).status,
    ).toBe(403);
    expect(
      (await httpsGet(pods, { ca: s.caData, token: s.noRightsToken })).status,
    ).toBe(403);
    expect(
      (await httpsGet(pods, { ca: s.caData, token: 'not-a-token' })).status,
    ).toBe(401);
  });

  it('refuses a client that trusts another CA', async () => {
    const s = running.env.kubeApiServers[0];
    await expect(
      httpsGet(`${s.serverUrl}/version`, { ca: s.otherCaData }),
    ).rejects.toThrow(/certificate/i);
  });

  it('issues ServiceAccount tokens and holds nodes and workloads as API objects', async () => {
    const s = running.env.kubeApiServers[1];
    const token = await createServiceAccountToken(s, {
      namespace: 'registry',
      name: 'reader',
      clusterRole: 'view',
    });
    const res = await httpsGet(
      `${s.serverUrl}/api/v1/namespaces/default/pods`,
      { ca: s.caData, token },
    );
    expect(res.status).toBe(200);

    await createNode(s, {
      name: 'cp-1',
      roles: ['control-plane'],
      taints: [
        { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
      ],
    });
    await createNode(s, { name: 'worker-1', roles: ['worker'], ready: false });
    await createWorkload(s, {
      name: 'web',
      labels: { 'backstage.io/kubernetes-id': 'web' },
    });
    const core = adminKubeConfig(s).makeApiClient(CoreV1Api);
    const nodes = await core.listNode();
    expect(nodes.items.map(n => n.metadata!.name).sort()).toEqual([
      'cp-1',
      'worker-1',
    ]);
    const cp = nodes.items.find(n => n.metadata!.name === 'cp-1')!;
    expect(cp.metadata!.labels).toHaveProperty([
      'node-role.kubernetes.io/control-plane',
    ]);
    expect(cp.status!.conditions!.find(c => c.type === 'Ready')!.status).toBe(
      'True',
    );
    const pods = await core.listNamespacedPod({
      namespace: 'default',
      labelSelector: 'backstage.io/kubernetes-id=web',
    });
    expect(pods.items).toHaveLength(1);
  });

  it('serves the Terraform CRD with a status subresource', async () => {
    const s = running.env.kubeApiServers[1];
    await installTerraformCrd(s);
    const api = adminKubeConfig(s).makeApiClient(CustomObjectsApi);
    const ref = {
      group: 'infra.contrib.fluxcd.io',
      version: 'v1alpha2',
      namespace: 'default',
      plural: 'terraforms',
    };
    await api.createNamespacedCustomObject({
      ...ref,
      body: {
        apiVersion: 'infra.contrib.fluxcd.io/v1alpha2',
        kind: 'Terraform',
        metadata: { name: 'eks-a' },
        spec: { path: './eks' },
      },
    });
    const conditions = [
      {
        type: 'Ready',
        status: 'Unknown',
        reason: 'Progressing',
        message: 'Reconciliation in progress',
      },
    ];
    await api.patchNamespacedCustomObjectStatus({
      ...ref,
      name: 'eks-a',
      body: [{ op: 'add', path: '/status', value: { conditions } }],
    });
    const current: any = await api.getNamespacedCustomObject({
      ...ref,
      name: 'eks-a',
    });
    expect(current.status.conditions[0]).toMatchObject({
      type: 'Ready',
      reason: 'Progressing',
    });
  });

  it('stops', async () => {
    const port = Number(new URL(running.env.kubeApiServers[0].serverUrl).port);
    await running.stop();
    expect(await tcpOpen(port)).toBe(false);
  });
});
