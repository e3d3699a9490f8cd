import { subnetPlan } from './network';

describe('the subnet plan', () => {
  it('gives every zone a public and a private subnet, cut from the start of the VPC', () => {
    expect(
      subnetPlan('10.20.0.0/16', ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']),
    ).toEqual([
      { zone: 'eu-west-1a', tier: 'public', cidr: '10.20.0.0/19' },
      { zone: 'eu-west-1a', tier: 'private', cidr: '10.20.32.0/19' },
      { zone: 'eu-west-1b', tier: 'public', cidr: '10.20.64.0/19' },
      { zone: 'eu-west-1b', tier: 'private', cidr: '10.20.96.0/19' },
      { zone: 'eu-west-1c', tier: 'public', cidr: '10.20.128.0/19' },
      { zone: 'eu-west-1c', tier: 'private', cidr: '10.20.160.0/19' },
    ]);
  });

  it('fits the smallest VPC', () => {
    expect(
      subnetPlan('192.168.4.0/24', ['us-west-1a', 'us-west-1b']).map(
        s => s.cidr,
      ),
    ).toEqual([
      '192.168.4.0/26',
      '192.168.4.64/26',
      '192.168.4.128/26',
      '192.168.4.192/26',
    ]);
  });
});
