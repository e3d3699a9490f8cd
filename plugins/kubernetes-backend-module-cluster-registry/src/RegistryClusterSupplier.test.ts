import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ClusterRegistryService } from '@cluster-registry/plugin-cluster-registry-node';
import { ServiceAccountOrClientCertificateStrategy } from './auth';
import { RegistryClusterSupplier } from './RegistryClusterSupplier';

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
    const supplier = new RegistryClusterSupplier(registry, configured, {
      clusterPageUrl: name => `http://portal/clusters/${name}`,
      logger: mockServices.logger.mock(),
    });
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
    const logger = mockServices.logger.mock();
    const supplier = new RegistryClusterSupplier(
      {
        listConnections: async () => {
          throw new Error('ECONNREFUSED');
        },
      } as unknown as ClusterRegistryService,
      configured,
      { clusterPageUrl: n => n, logger },
    );
    expect((await supplier.getClusters(options)).map(c => c.name)).toEqual([
      'from-config',
    ]);
    expect(logger.warn).toHaveBeenCalled();
  });
});
