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
    // GetRole answers the trust policy as it was created, as IAM does
    expect(JSON.parse(decodeURIComponent(doc))).toEqual(JSON.parse(trust('ec2.amazonaws.com')));
  });

  it('keeps a new role from the services until IAM has propagated it', () => {
    const a: AwsAccount = { id: '434343434343', displayName: 'fresh', roles: {} };
    const arn = 'arn:aws:iam::434343434343:role/new';
    const made = 1_000_000;
    handleIam(
      a,
      'CreateRole',
      new Map([
        ['RoleName', 'new'],
        ['AssumeRolePolicyDocument', trust('eks.amazonaws.com')],
      ]),
      'r1',
      made,
    );
    // EKS asks "was it created before (now - propagation)?"
    expect(roleTrusts(a, arn, 'eks.amazonaws.com', made - 1)).toBe(false);
    expect(roleTrusts(a, arn, 'eks.amazonaws.com', made)).toBe(true);
    // prepared roles have always been there
    const p: AwsAccount = { id: '111111111111', displayName: 'demo' };
    expect(roleTrusts(p, 'arn:aws:iam::111111111111:role/eks-cluster-role', 'eks.amazonaws.com', 0)).toBe(
      true,
    );
  });

  it('lists the managed policies of a role; a prepared node role may run the EBS CSI driver, a new one not', () => {
    const prepared: AwsAccount = { id: '111111111111', displayName: 'demo' };
    const list = (a: AwsAccount, role: string) =>
      [
        ...handleIam(a, 'ListAttachedRolePolicies', new Map([['RoleName', role]]), 'r').matchAll(
          /<PolicyArn>([^<]+)</g,
        ),
      ].map((m) => m[1]);
    const csi = 'arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy';
    expect(list(prepared, 'eks-node-role')).toContain(csi);
    expect(list(prepared, 'eks-cluster-role')).toEqual(['arn:aws:iam::aws:policy/AmazonEKSClusterPolicy']);

    const a: AwsAccount = { id: '424242424242', displayName: 'fresh', roles: {} };
    handleIam(
      a,
      'CreateRole',
      new Map([
        ['RoleName', 'nodes'],
        ['AssumeRolePolicyDocument', trust('ec2.amazonaws.com')],
      ]),
      'r1',
    );
    expect(list(a, 'nodes')).toEqual([]);
    expect(() =>
      handleIam(
        a,
        'AttachRolePolicy',
        new Map([
          ['RoleName', 'nodes'],
          ['PolicyArn', 'arn:aws:iam::aws:policy/Nope'],
        ]),
        'r2',
      ),
    ).toThrow('Policy arn:aws:iam::aws:policy/Nope does not exist or is not attachable.');
    handleIam(
      a,
      'AttachRolePolicy',
      new Map([
        ['RoleName', 'nodes'],
        ['PolicyArn', csi],
      ]),
      'r3',
    );
    expect(list(a, 'nodes')).toEqual([csi]);
    expect(() => handleIam(a, 'DeleteRole', new Map([['RoleName', 'nodes']]), 'r4')).toThrow(
      'must detach all policies',
    );
  });
});
