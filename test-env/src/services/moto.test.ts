import {
  CreateClusterCommand,
  DescribeClusterCommand,
  EKSClient,
  ListClustersCommand,
} from '@aws-sdk/client-eks';
import { tcpOpen } from '../processes';
import { startTestEnv, RunningTestEnv } from '../index';

jest.setTimeout(180_000);

describe('self-check: moto (AWS EKS API)', () => {
  let running: RunningTestEnv;
  beforeAll(async () => {
    running = await startTestEnv({ moto: true });
  });
  afterAll(() => running?.stop());

  it('creates and describes an EKS cluster through the AWS SDK', async () => {
    const m = running.env.moto!;
    const eks = new EKSClient({
      endpoint: m.endpoint,
      region: m.region,
      credentials: {
        accessKeyId: m.accessKeyId,
        secretAccessKey: m.secretAccessKey,
      },
    });
    await eks.send(
      new CreateClusterCommand({
        name: 'self-check',
        roleArn: 'arn:aws:iam::123456789012:role/eks',
        resourcesVpcConfig: { subnetIds: ['subnet-1'] },
        version: '1.31',
      }),
    );
    const { cluster } = await eks.send(
      new DescribeClusterCommand({ name: 'self-check' }),
    );
    expect(cluster?.name).toBe('self-check');
    expect(cluster?.arn).toMatch(
      /^arn:aws:eks:us-east-1:\d+:cluster\/self-check$/,
    );
    const { clusters } = await eks.send(new ListClustersCommand({}));
    expect(clusters).toContain('self-check');
  });

  it('stops', async () => {
    const port = Number(new URL(running.env.moto!.endpoint).port);
    await running.stop();
    expect(await tcpOpen(port)).toBe(false);
  });
});
