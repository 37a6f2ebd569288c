import { describe, expect, it } from 'vitest';
import type { ManagedCluster } from '@azure/arm-containerservice';
import { aksClusterBody, aksPoolToSpec, aksToSpec, dnsPrefixFor, formatAksTaint, parseAksTaint } from './map';

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

describe('AKS fields the canonical model carries', () => {
  const cluster: ManagedCluster = {
    id: '/subscriptions/s/resourcegroups/rg/providers/Microsoft.ContainerService/managedClusters/c',
    name: 'c',
    location: 'westeurope',
    kubernetesVersion: '1.34.9',
    apiServerAccessProfile: { enablePrivateCluster: false, enableVnetIntegration: true },
    networkProfile: {
      networkPlugin: 'azure',
      networkPluginMode: 'overlay',
      podCidr: '10.244.0.0/16',
      serviceCidr: '10.0.0.0/16',
      dnsServiceIP: '10.0.0.10',
    },
    addonProfiles: { azurepolicy: { enabled: true }, httpApplicationRouting: { enabled: false } },
    agentPoolProfiles: [
      { name: 'sys', vmSize: 'Standard_D4s_v5', count: 3, mode: 'System', osDiskType: 'Ephemeral' },
    ],
  };

  it('reads public+private endpoints, overlay networking, enabled add-ons and the OS disk type', () => {
    const spec = aksToSpec(cluster, 's');
    expect(spec.endpoint).toEqual({ public: true, private: true, authorizedCidrs: [] });
    expect(spec.network).toEqual({
      plugin: 'azure',
      pluginMode: 'overlay',
      podCidr: '10.244.0.0/16',
      serviceCidr: '10.0.0.0/16',
      dnsServiceIp: '10.0.0.10',
    });
    expect(spec.addons).toEqual(['azurepolicy']);
    expect(spec.nodePools[0]?.diskType).toBe('Ephemeral');
  });

  it('writes them back the way it read them', () => {
    const spec = aksToSpec(cluster, 's');
    const again = aksToSpec({ ...aksClusterBody(spec, {}), id: cluster.id, name: 'c' }, 's');
    expect(again.endpoint).toEqual(spec.endpoint);
    expect(again.network).toEqual(spec.network);
    expect(again.addons).toEqual(spec.addons);
    expect(again.nodePools[0]?.diskType).toBe('Ephemeral');
  });
});
