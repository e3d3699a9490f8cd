import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { KubernetesClustersSupplier } from '@backstage/plugin-kubernetes-node';
import {
  ClusterRegistryService,
  createClusterConditionalDecision,
  clusterConditions,
} from '@cluster-registry/plugin-cluster-registry-node';
import { clusterReadPermission } from '@cluster-registry/plugin-cluster-registry-common';
import { ServiceAccountOrClientCertificateStrategy } from './auth';
import { RegistryClusterSupplier } from './RegistryClusterSupplier';
import { RegistryConnections } from './RegistryConnections';

/** The supplier over a registry, as the module builds it. */
function supplierOver(
  registry: ClusterRegistryService,
  configured: KubernetesClustersSupplier,
  permissions = mockServices.permissions(),
) {
  const logger = mockServices.logger.mock();
  return {
    logger,
    supplier: new RegistryClusterSupplier(registry, configured, {
      clusterPageUrl: name => `http://portal/clusters/${name}`,
      logger,
      kept: new RegistryConnections(registry, { logger }),
      permissions,
    }),
  };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('RegistryClusterSupplier', () => {
  const configured = {
    getClusters: async () => [
      { name: 'from-config', url: 'https://c:6443', authMetadata: {} },
    ],
  };
  const options = {
    credentials: mockCredentials.user(),
  };

  it('adds direct registry clusters to the configured ones; auth metadata carries what the strategies need', async () => {
    const registry = {
      listConnections: async () => [
        {
          name: 'cert',
          title: 'Cert',
          category: 'qa',
          serverUrl: 'https://a:6443',
          tls: { caData: 'Q0E=', insecureSkipTlsVerify: false },
          auth: {
            type: 'clientCertificate',
            certData: b64('CERT'),
            keyData: b64('KEY'),
          },
          connection: { method: 'direct' },
          state: 'running',
        },
        {
          name: 'eks',
          title: 'EKS',
          serverUrl: 'https://b.eks.amazonaws.com',
          tls: { insecureSkipTlsVerify: false },
          auth: {
            type: 'aws',
            clusterId: 'prod',
            assumeRole: 'arn:aws:iam::123456789012:role/portal',
          },
          connection: { method: 'direct' },
          state: 'running',
        },
        {
          name: 'behind-proxy',
          title: 'x',
          serverUrl: 'https://p:6443',
          tls: { insecureSkipTlsVerify: false },
          auth: { type: 'bearerToken', token: 't' },
          connection: { method: 'proxy', proxyUrl: 'http://proxy:3128' },
          state: 'running',
        },
      ],
    } as unknown as ClusterRegistryService;
    const { supplier } = supplierOver(registry, configured);
    const clusters = await supplier.getClusters(options);
    expect(clusters.map(c => c.name)).toEqual(['from-config', 'cert', 'eks']);
    expect(clusters[2].authMetadata).toEqual({
      'cluster-registry.io/cluster': 'eks',
      'kubernetes.io/auth-provider': 'aws',
      'kubernetes.io/x-k8s-aws-id': 'prod',
      'kubernetes.io/aws-assume-role': 'arn:aws:iam::123456789012:role/portal',
    });
    const strategy = new ServiceAccountOrClientCertificateStrategy();
    expect(await strategy.getCredential(clusters[1], {})).toEqual({
      type: 'x509 client certificate',
      cert: 'CERT',
      key: 'KEY',
    });
    expect(strategy.presentAuthMetadata(clusters[1].authMetadata)).toEqual({});
  });

  it('keeps the configured clusters when the registry is down', async () => {
    const { supplier, logger } = supplierOver(
      {
        listConnections: async () => {
          throw new Error('ECONNREFUSED');
        },
      } as unknown as ClusterRegistryService,
      configured,
    );
    expect((await supplier.getClusters(options)).map(c => c.name)).toEqual([
      'from-config',
    ]);
    expect(logger.warn).toHaveBeenCalled();
  });

  it("supplies a user only the clusters the policy's conditions allow, applied here; a rule it does not know is left to the registry", async () => {
    const listConnections = jest.fn(async (call?: { credentials?: {} }) =>
      (call?.credentials
        ? ['from-registry']
        : ['qa-1', 'prod-1', 'labelled']
      ).map(name => ({
        name,
        title: name,
        category: name.split('-')[1] ? name.split('-')[0] : undefined,
        labels: name === 'labelled' ? { team: 'a' } : {},
        serverUrl: 'https://a:6443',
        tls: { insecureSkipTlsVerify: false },
        auth: { type: 'bearerToken', token: 't' },
        connection: { method: 'direct' },
        state: 'running',
      })),
    );
    const registry = { listConnections } as unknown as ClusterRegistryService;
    const none = { getClusters: async () => [] };
    const decide = (decision: object) => {
      const permissions = mockServices.permissions.mock();
      permissions.authorizeConditional.mockResolvedValue([decision as any]);
      return supplierOver(registry, none, permissions).supplier;
    };
    const names = async (s: RegistryClusterSupplier, credentials: any) =>
      (await s.getClusters({ credentials })).map(c => c.name);
    const user = mockCredentials.user('user:default/dev');

    const conditional = decide(
      createClusterConditionalDecision(clusterReadPermission, {
        anyOf: [
          clusterConditions.isInCategory({ categories: ['qa'] }),
          clusterConditions.hasLabel({ label: 'team', value: 'a' }),
        ],
      }),
    );
    expect(await names(conditional, user)).toEqual(['labelled', 'qa-1']);
    // The plugin's own calls (no user) get every cluster.
    expect(await names(conditional, mockCredentials.service())).toEqual([
      'labelled',
      'prod-1',
      'qa-1',
    ]);
    expect(await names(decide({ result: AuthorizeResult.DENY }), user)).toEqual(
      [],
    );
    expect(
      await names(decide({ result: AuthorizeResult.ALLOW }), user),
    ).toHaveLength(3);
    expect(listConnections.mock.calls.every(c => !c[0]?.credentials)).toBe(
      true,
    );

    const unknownRule = decide({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'cluster-registry',
      resourceType: 'cluster-registry-cluster',
      conditions: {
        rule: 'IS_IN_REGION',
        resourceType: 'cluster-registry-cluster',
        params: {},
      },
    });
    expect(await names(unknownRule, user)).toEqual(['from-registry']);
    expect(listConnections).toHaveBeenLastCalledWith({ credentials: user });
  });
});
