import { describe, expect, it } from 'vitest';
import { type AwsState, clusterStatus, type EksCluster, nodegroupStatus, settle } from './model.ts';

function cluster(over: Partial<EksCluster> = {}): EksCluster {
  return {
    account: '111111111111',
    region: 'us-east-1',
    name: 'c',
    arn: 'arn',
    id: 'id',
    createdAt: 0,
    readyAt: 100,
    version: '1.34',
    platformVersion: 'eks.1',
    roleArn: 'r',
    vpc: {
      subnetIds: [],
      securityGroupIds: [],
      clusterSecurityGroupId: 'sg',
      vpcId: 'vpc',
      endpointPublicAccess: true,
      endpointPrivateAccess: false,
      publicAccessCidrs: [],
    },
    serviceIpv4Cidr: '10.100.0.0/16',
    ipFamily: 'ipv4',
    logging: [],
    authenticationMode: 'API',
    bootstrapClusterCreatorAdminPermissions: true,
    supportType: 'EXTENDED',
    deletionProtection: false,
    tags: {},
    updates: [],
    nodegroups: {},
    addons: {},
    ...over,
  };
}

describe('EKS status derivation', () => {
  it('derives cluster status from timestamps only', () => {
    const c = cluster();
    expect(clusterStatus(c, 50)).toBe('CREATING');
    expect(clusterStatus(c, 100)).toBe('ACTIVE');
    expect(clusterStatus({ ...c, failed: 'x' }, 100)).toBe('FAILED');
    c.updates.push({
      id: 'u',
      type: 'VersionUpdate',
      params: [],
      createdAt: 120,
      doneAt: 200,
      apply: { version: '1.35' },
    });
    expect(clusterStatus(c, 150)).toBe('UPDATING');
    expect(clusterStatus({ ...c, deleteStartedAt: 300, deleteDoneAt: 400 }, 350)).toBe('DELETING');
  });

  it('settles finished updates and deletions', () => {
    const c = cluster();
    c.nodegroups.ng = {
      name: 'ng',
      arn: 'a',
      uuid: 'u',
      createdAt: 100,
      modifiedAt: 100,
      readyAt: 150,
      version: '1.34',
      releaseVersion: 'r',
      capacityType: 'ON_DEMAND',
      scaling: { minSize: 1, maxSize: 3, desiredSize: 2 },
      instanceTypes: ['m6i.large'],
      subnets: [],
      amiType: 'AL2023_x86_64_STANDARD',
      nodeRole: 'r',
      labels: { a: '1' },
      taints: [],
      diskSize: 20,
      tags: {},
      updateConfig: { maxUnavailable: 1 },
    };
    c.updates.push({
      id: 'u1',
      type: 'ConfigUpdate',
      params: [],
      createdAt: 160,
      doneAt: 200,
      nodegroup: 'ng',
      apply: {
        scaling: { minSize: 1, maxSize: 3, desiredSize: 3 },
        addLabels: { b: '2' },
        removeLabels: ['a'],
      },
    });
    const state: AwsState = { accounts: {}, clusters: { k: c } };
    const ng = c.nodegroups.ng;
    if (!ng) throw new Error('missing');
    expect(nodegroupStatus(c, ng, 180)).toBe('UPDATING');
    expect(settle(state, 180, () => {})).toBe(false);
    expect(settle(state, 200, () => {})).toBe(true);
    expect(ng.scaling.desiredSize).toBe(3);
    expect(ng.labels).toEqual({ b: '2' });
    c.deleteStartedAt = 300;
    c.deleteDoneAt = 400;
    const gone: string[] = [];
    settle(state, 400, (x) => gone.push(x.name));
    expect(gone).toEqual(['c']);
    expect(state.clusters).toEqual({});
  });
});
