import YAML from 'yaml';
import { withMappedRole } from './awsAuth';

const entry = {
  rolearn: 'arn:aws:iam::123456789012:role/portal-eks-reader',
  username: 'cluster-registry-reader',
  groups: ['cluster-registry:readers'],
};
const nodes = {
  rolearn: 'arn:aws:iam::123456789012:role/nodes',
  username: 'system:node:{{EC2PrivateDNSName}}',
  groups: ['system:bootstrappers', 'system:nodes'],
};

describe('aws-auth mapRoles', () => {
  it('starts a list', () => {
    expect(YAML.parse(withMappedRole(undefined, entry)!)).toEqual([entry]);
    expect(YAML.parse(withMappedRole('  \n', entry)!)).toEqual([entry]);
  });

  it('keeps every other mapping and appends ours', () => {
    expect(YAML.parse(withMappedRole(YAML.stringify([nodes]), entry)!)).toEqual(
      [nodes, entry],
    );
  });

  it('replaces our role where it is mapped otherwise, and changes nothing when it is mapped so', () => {
    const stale = { ...entry, groups: ['system:masters'] };
    expect(
      YAML.parse(withMappedRole(YAML.stringify([stale, nodes]), entry)!),
    ).toEqual([entry, nodes]);
    expect(
      withMappedRole(YAML.stringify([nodes, entry]), entry),
    ).toBeUndefined();
  });

  it('refuses what is not a list, rather than overwrite it', () => {
    expect(() => withMappedRole('rolearn: x', entry)).toThrow(
      'not a YAML list',
    );
  });
});
