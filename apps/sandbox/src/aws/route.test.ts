import { describe, expect, it } from 'vitest';
import { routeEks } from './route.ts';

describe('routeEks', () => {
  it('maps restJson1 paths to operations', () => {
    expect(routeEks('POST', '/clusters')).toEqual({ op: 'CreateCluster' });
    expect(routeEks('GET', '/clusters/a')).toEqual({ op: 'DescribeCluster', cluster: 'a' });
    expect(routeEks('POST', '/clusters/a/node-groups/b/update-config')).toEqual({
      op: 'UpdateNodegroupConfig',
      cluster: 'a',
      nodegroup: 'b',
    });
    expect(routeEks('GET', '/clusters/a/updates/u1')).toEqual({
      op: 'DescribeUpdate',
      cluster: 'a',
      updateId: 'u1',
    });
    expect(routeEks('GET', '/addons/supported-versions')).toEqual({ op: 'DescribeAddonVersions' });
    expect(routeEks('GET', '/tags/arn%3Aaws%3Aeks%3Aus-east-1%3A1%3Acluster%2Fx')).toEqual({
      op: 'ListTagsForResource',
      resourceArn: 'arn:aws:eks:us-east-1:1:cluster/x',
    });
    expect(routeEks('PUT', '/clusters')).toBeUndefined();
  });
});
