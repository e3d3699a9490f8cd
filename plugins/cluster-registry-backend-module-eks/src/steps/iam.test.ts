import { clusterRoleName } from './iam';

describe('the control plane role name', () => {
  it('fits IAM (64 characters) for the longest cluster name, and is the same for every attempt', () => {
    const name = clusterRoleName('a'.repeat(63), 'request-1');
    expect(name.length).toBeLessThanOrEqual(64);
    expect(name).toBe(clusterRoleName('a'.repeat(63), 'request-1'));
    expect(name).not.toBe(clusterRoleName('a'.repeat(63), 'request-2'));
    expect(clusterRoleName('payments-qa', 'r')).toMatch(
      /^eks-payments-qa-cluster-[0-9a-f]{8}$/,
    );
  });
});
