import { eksClusterSpecSchema, provisionClusterSchema } from './schemas';

const valid = {
  region: 'eu-west-1',
  vpcCidr: '10.20.0.0/16',
  kubernetesVersion: '1.33',
};

/** The issues of a spec, as `field: message`. */
function issues(spec: object): string[] {
  const r = eksClusterSpecSchema.safeParse({ ...valid, ...spec });
  return r.success
    ? []
    : r.error.issues.map(i => `${i.path.join('.')}: ${i.message}`);
}

describe('the EKS spec', () => {
  it('fills in the defaults: API mode, IRSA, both endpoints', () => {
    expect(eksClusterSpecSchema.parse(valid)).toEqual({
      ...valid,
      authenticationMode: 'API',
      irsa: true,
      endpointPublicAccess: true,
      endpointPrivateAccess: true,
    });
  });

  it.each<[string, object, RegExp]>([
    [
      'both endpoints off',
      { endpointPublicAccess: false, endpointPrivateAccess: false },
      /^endpointPrivateAccess: public and private endpoint access cannot both be off/,
    ],
    [
      'a VPC larger than /16',
      { vpcCidr: '10.0.0.0/12' },
      /^vpcCidr: must be a \/16 to \/24 block/,
    ],
    [
      'a VPC smaller than /24',
      { vpcCidr: '10.0.0.0/25' },
      /^vpcCidr: must be a \/16 to \/24 block/,
    ],
    [
      'seven zones',
      {
        availabilityZones: ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map(
          z => `eu-west-1${z}`,
        ),
      },
      /^availabilityZones: at most 6 zones/,
    ],
    [
      'an unaligned VPC',
      { vpcCidr: '10.0.1.0/16' },
      /^vpcCidr: is not the first address of its block: did you mean 10.0.0.0\/16\?/,
    ],
    [
      'one zone',
      { availabilityZones: ['eu-west-1a'] },
      /^availabilityZones: needs at least 2 zones/,
    ],
    [
      'a zone of another region',
      { availabilityZones: ['eu-west-1a', 'us-east-1b'] },
      /^availabilityZones.1: is not a zone of eu-west-1/,
    ],
    [
      'a zone twice',
      { availabilityZones: ['eu-west-1a', 'eu-west-1a'] },
      /^availabilityZones.1: is listed twice/,
    ],
    [
      'a private block for the public endpoint',
      { publicAccessCidrs: ['10.0.0.0/8'] },
      /^publicAccessCidrs.0: is not public address space/,
    ],
    [
      'overlapping public blocks',
      { publicAccessCidrs: ['203.0.113.0/24', '203.0.113.128/25'] },
      /^publicAccessCidrs.1: overlaps 203.0.113.0\/24/,
    ],
    [
      'public CIDRs without a public endpoint',
      { endpointPublicAccess: false, publicAccessCidrs: ['203.0.113.0/24'] },
      /^publicAccessCidrs.0: needs public endpoint access/,
    ],
    [
      'private CIDRs without a private endpoint',
      { endpointPrivateAccess: false, privateAccessCidrs: ['10.1.0.0/16'] },
      /^privateAccessCidrs.0: needs private endpoint access/,
    ],
    [
      'overlapping private blocks',
      { privateAccessCidrs: ['10.1.0.0/16', '10.1.2.0/24'] },
      /^privateAccessCidrs.1: overlaps 10.1.0.0\/16/,
    ],
    [
      'a version that is not a minor version',
      { kubernetesVersion: '1.33.2' },
      /^kubernetesVersion: must be a Kubernetes minor version/,
    ],
    [
      'a region that is not one',
      { region: 'Europe' },
      /^region: must be an AWS region/,
    ],
    [
      'an unknown mode',
      { authenticationMode: 'IAM' },
      /^authenticationMode: Invalid enum value/,
    ],
    [
      'a tag value with a control character',
      { team: 'a\nb' },
      /^team: may contain only/,
    ],
  ])('refuses %s', (_, spec, expected) => {
    expect(issues(spec)).toEqual([expect.stringMatching(expected)]);
  });

  it('builds no pattern from the input: a region that is one answers 400, never throws', () => {
    expect(
      issues({ region: 'a(+)[', availabilityZones: ['a(+)[a', 'x'] }),
    ).toEqual([expect.stringMatching(/^region: must be an AWS region/)]);
  });

  it('accepts a spec with everything', () => {
    expect(
      issues({
        vpcCidr: '10.20.0.0/24',
        availabilityZones: ['eu-west-1a', 'eu-west-1b'],
        authenticationMode: 'CONFIG_MAP',
        irsa: false,
        publicAccessCidrs: ['203.0.113.0/24', '198.51.100.0/24'],
        privateAccessCidrs: ['10.1.0.0/16', '10.2.0.0/16'],
        team: 'payments',
        environment: 'qa',
      }),
    ).toEqual([]);
  });

  it('refuses unknown fields, and an EKS request without its spec', () => {
    expect(issues({ nodeGroups: [] })).toEqual([
      expect.stringMatching(/Unrecognized key/),
    ]);
    const r = provisionClusterSchema.safeParse({ name: 'a', provider: 'eks' });
    expect(r.success).toBe(false);
    expect(!r.success && r.error.issues[0]).toMatchObject({
      path: ['eks'],
      message: 'is required to create an EKS cluster',
    });
  });
});
