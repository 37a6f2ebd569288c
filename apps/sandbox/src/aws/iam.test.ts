import { describe, expect, it } from 'vitest';
import { handleIam, roleTrusts } from './iam.ts';
import type { AwsAccount } from './model.ts';

const trust = (service: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: [service] }, Action: 'sts:AssumeRole' }],
  });

describe('sandbox IAM', () => {
  it('gives a prepared account the demo roles, each trusted by its service only', () => {
    const a: AwsAccount = { id: '111111111111', displayName: 'demo' };
    expect(roleTrusts(a, 'arn:aws:iam::111111111111:role/eks-cluster-role', 'eks.amazonaws.com')).toBe(true);
    expect(roleTrusts(a, 'arn:aws:iam::111111111111:role/eks-cluster-role', 'ec2.amazonaws.com')).toBe(false);
    expect(roleTrusts(a, 'arn:aws:iam::111111111111:role/dolly-eks-node', 'ec2.amazonaws.com')).toBe(true);
    // a role of another account is not this account's to pass
    expect(roleTrusts(a, 'arn:aws:iam::222222222222:role/eks-cluster-role', 'eks.amazonaws.com')).toBe(false);
  });

  it('creates roles from their trust policy; a fresh account has none', () => {
    const a: AwsAccount = { id: '424242424242', displayName: 'fresh', roles: {} };
    const arn = 'arn:aws:iam::424242424242:role/nodes';
    expect(roleTrusts(a, arn, 'ec2.amazonaws.com')).toBe(false);
    expect(() => handleIam(a, 'GetRole', new Map([['RoleName', 'nodes']]), 'r1')).toThrow(
      'The role with name nodes cannot be found.',
    );
    const xml = handleIam(
      a,
      'CreateRole',
      new Map([
        ['RoleName', 'nodes'],
        ['AssumeRolePolicyDocument', trust('ec2.amazonaws.com')],
      ]),
      'r2',
    );
    expect(xml).toContain(`<Arn>${arn}</Arn>`);
    expect(roleTrusts(a, arn, 'ec2.amazonaws.com')).toBe(true);
    const got = handleIam(a, 'GetRole', new Map([['RoleName', 'nodes']]), 'r3');
    const doc = /<AssumeRolePolicyDocument>([^<]+)</.exec(got)?.[1] ?? '';
    expect(JSON.parse(decodeURIComponent(doc)).Statement[0].Principal.Service).toBe('ec2.amazonaws.com');
  });
});
