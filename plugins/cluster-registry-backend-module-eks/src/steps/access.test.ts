import {
  AssociateAccessPolicyCommand,
  CreateAccessEntryCommand,
  EKSClient,
} from '@aws-sdk/client-eks';
import { accessEntryRequests } from './access';

const READER = 'arn:aws:iam::123456789012:role/portal-eks-reader';

/**
 * The HTTP request the SDK makes of a command, as its EKS model serializes
 * it (moto has no access entries: the shape is checked against the model).
 */
async function wire(
  command: CreateAccessEntryCommand | AssociateAccessPolicyCommand,
) {
  const client = new EKSClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'k', secretAccessKey: 's' },
  });
  let sent: { method: string; path: string; body: any } | undefined;
  client.middlewareStack.add(
    () => async (args: any) => {
      sent = {
        method: args.request.method,
        path: args.request.path,
        body: JSON.parse(Buffer.from(args.request.body).toString('utf8')),
      };
      throw new Error('captured');
    },
    { step: 'finalizeRequest', name: 'capture', priority: 'low' },
  );
  await expect(client.send(command as any)).rejects.toThrow('captured');
  return sent!;
}

describe('access entries for the portal role', () => {
  const s = {
    clusterName: 'payments-qa',
    tags: { team: 'payments' },
    resources: { partition: 'aws' },
  };

  it('creates a STANDARD entry for the reader, tagged', async () => {
    const { entry } = accessEntryRequests(s, READER, 'AmazonEKSViewPolicy');
    expect(await wire(new CreateAccessEntryCommand(entry))).toEqual({
      method: 'POST',
      path: '/clusters/payments-qa/access-entries',
      body: {
        principalArn: READER,
        type: 'STANDARD',
        tags: { team: 'payments' },
        // The model's idempotency token, filled in by the SDK.
        clientRequestToken: expect.any(String),
      },
    });
  });

  it('associates AmazonEKSViewPolicy for the whole cluster', async () => {
    const { association } = accessEntryRequests(
      s,
      READER,
      'AmazonEKSViewPolicy',
    );
    expect(await wire(new AssociateAccessPolicyCommand(association))).toEqual({
      method: 'POST',
      path: `/clusters/payments-qa/access-entries/${encodeURIComponent(
        READER,
      )}/access-policies`,
      body: {
        policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
        accessScope: { type: 'cluster' },
      },
    });
  });

  it('names the policy in the partition of the account', () => {
    const { association } = accessEntryRequests(
      { ...s, resources: { partition: 'aws-us-gov' } },
      READER,
      'AmazonEKSClusterAdminPolicy',
    );
    expect(association.policyArn).toBe(
      'arn:aws-us-gov:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
    );
  });
});
