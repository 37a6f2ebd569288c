import { describe, expect, it } from 'vitest';
import { aksClusterBody, aksPoolToSpec, dnsPrefixFor, formatAksTaint, parseAksTaint } from './map';

describe('AKS agent pool -> NodePoolSpec', () => {
  it('keeps the cloud-added spot label and taint out of the user labels and taints', () => {
    const pool = aksPoolToSpec({
      name: 'spot1',
      vmSize: 'Standard_D8s_v5',
      count: 2,
      enableAutoScaling: true,
      minCount: 1,
      maxCount: 5,
      scaleSetPriority: 'Spot',
      availabilityZones: ['2', '1'],
      mode: 'User',
      osType: 'Linux',
      nodeLabels: { workload: 'batch', 'kubernetes.azure.com/scalesetpriority': 'spot' },
      nodeTaints: ['dedicated=batch:NoSchedule', 'kubernetes.azure.com/scalesetpriority=spot:NoSchedule'],
    });
    expect(pool).toEqual({
      name: 'spot1',
      machineType: 'Standard_D8s_v5',
      nodeCount: 2,
      autoscaling: { minNodes: 1, maxNodes: 5 },
      spot: true,
      zones: ['1', '2'],
      labels: { workload: 'batch' },
      taints: [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }],
      os: 'linux',
      mode: 'user',
    });
  });

  it('parses and formats taints with and without values', () => {
    expect(parseAksTaint('gpu:NoExecute')).toEqual({ key: 'gpu', effect: 'NoExecute' });
    expect(parseAksTaint('nonsense')).toBeUndefined();
    expect(formatAksTaint({ key: 'a', value: 'b', effect: 'PreferNoSchedule' })).toBe('a=b:PreferNoSchedule');
  });
});

describe('ClusterSpec -> AKS create body', () => {
  it('creates the cluster with one System pool and a legal dnsPrefix', () => {
    const body = aksClusterBody(
      {
        cloud: 'azure',
        scope: 's/rg',
        location: 'westeurope',
        name: 'shop_prod',
        kubernetesVersion: '1.34',
        labels: {},
        nodePools: [
          {
            name: 'user1',
            machineType: 'Standard_D4s_v5',
            nodeCount: 1,
            spot: false,
            labels: {},
            taints: [],
          },
          {
            name: 'sys',
            machineType: 'Standard_D2s_v5',
            nodeCount: 2,
            spot: false,
            labels: {},
            taints: [],
            mode: 'system',
          },
        ],
      },
      { 'dolly-plan': 'p' },
    );
    expect(body.agentPoolProfiles?.map((p) => [p.name, p.mode])).toEqual([['sys', 'System']]);
    expect(body.dnsPrefix).toBe('shop-prod');
    expect(dnsPrefixFor('-x')).toBe('x');
  });
});
