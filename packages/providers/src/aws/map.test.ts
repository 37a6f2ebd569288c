import type { Nodegroup } from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { createNodegroupInput, eksMinor, eksToSpec, nodegroupToPool } from './map';

const zoneOf = (id: string) => ({ 'subnet-a': 'us-east-1a', 'subnet-b': 'us-east-1b' })[id];

describe('EKS node group -> NodePoolSpec', () => {
  it('maps spot, taints, scaling, zones and the AMI type', () => {
    const ng: Nodegroup = {
      nodegroupName: 'batch',
      instanceTypes: ['m7g.large', 'm6g.large'],
      capacityType: 'SPOT',
      scalingConfig: { minSize: 1, maxSize: 5, desiredSize: 2 },
      subnets: ['subnet-b', 'subnet-a', 'subnet-a'],
      labels: { workload: 'batch' },
      taints: [
        { key: 'dedicated', value: 'batch', effect: 'NO_SCHEDULE' },
        { key: 'x', effect: 'NO_EXECUTE' },
      ],
      amiType: 'AL2023_ARM_64_STANDARD',
      diskSize: 40,
      version: '1.34',
    };
    expect(nodegroupToPool(ng, zoneOf)).toEqual({
      name: 'batch',
      machineType: 'm7g.large',
      nodeCount: 2,
      autoscaling: { minNodes: 1, maxNodes: 5 },
      spot: true,
      zones: ['us-east-1a', 'us-east-1b'],
      labels: { workload: 'batch' },
      taints: [
        { key: 'dedicated', value: 'batch', effect: 'NoSchedule' },
        { key: 'x', effect: 'NoExecute' },
      ],
      diskSizeGb: 40,
      kubernetesVersion: '1.34',
      arch: 'arm64',
      os: 'linux',
    });
  });

  it('treats min = max = desired as a fixed-size pool', () => {
    const pool = nodegroupToPool(
      {
        nodegroupName: 'p',
        instanceTypes: ['m6i.large'],
        scalingConfig: { minSize: 3, maxSize: 3, desiredSize: 3 },
      },
      zoneOf,
    );
    expect(pool.autoscaling).toBeUndefined();
    expect(pool.spot).toBe(false);
  });

  it('round-trips a pool through CreateNodegroup input', () => {
    const input = createNodegroupInput(
      'c',
      {
        name: 'p',
        machineType: 'g5.xlarge',
        nodeCount: 2,
        spot: false,
        labels: {},
        taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }],
      },
      {
        nodeRole: 'arn:aws:iam::1:role/n',
        subnets: ['subnet-a'],
        tags: {},
        clientRequestToken: 't',
        gpus: 1,
      },
    );
    expect(input.scalingConfig).toEqual({ minSize: 2, maxSize: 2, desiredSize: 2 });
    expect(input.amiType).toBe('AL2023_x86_64_NVIDIA');
    expect(input.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'present', effect: 'NO_SCHEDULE' }]);
  });
});

describe('CreateNodegroup input keeps what the plan asked', () => {
  const opts = { nodeRole: 'r', subnets: ['s'], tags: {}, clientRequestToken: 't', gpus: 0 };
  const base = { name: 'p', machineType: 'm7g.xlarge', nodeCount: 2, spot: false, labels: {}, taints: [] };

  it('boots a Graviton type on an arm64 AMI even when the pool does not state its arch', () => {
    expect(createNodegroupInput('c', base, { ...opts, arch: 'arm64' }).amiType).toBe(
      'AL2023_ARM_64_STANDARD',
    );
    expect(createNodegroupInput('c', { ...base, arch: 'arm64' }, opts).amiType).toBe(
      'AL2023_ARM_64_STANDARD',
    );
    expect(createNodegroupInput('c', base, { ...opts, arch: 'arm64', gpus: 1 }).amiType).toBe(
      'AL2023_ARM_64_NVIDIA',
    );
  });

  it.each(['maxPods', 'diskType'] as const)('refuses %s rather than dropping it silently', (field) => {
    const pool = { ...base, [field]: field === 'maxPods' ? 110 : 'io2' };
    expect(() => createNodegroupInput('c', pool, opts)).toThrow(
      new RegExp(`${field} only through a launch template`),
    );
  });
});

describe('EKS cluster -> ClusterSpec', () => {
  it('maps tags to labels and env, endpoint access and default add-ons away', () => {
    const spec = eksToSpec(
      {
        name: 'shop',
        arn: 'arn:aws:eks:us-east-1:123456789012:cluster/shop',
        version: '1.34',
        tags: { env: 'prod' },
        resourcesVpcConfig: {
          endpointPublicAccess: true,
          endpointPrivateAccess: true,
          publicAccessCidrs: ['1.2.3.0/24'],
        },
        kubernetesNetworkConfig: { serviceIpv4Cidr: '10.100.0.0/16' },
        encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: 'arn:aws:kms:us-east-1:1:key/k' } }],
      },
      [],
      { region: 'us-east-1', account: 'x', addons: ['coredns', 'aws-ebs-csi-driver'], zoneOfSubnet: zoneOf },
    );
    expect(spec).toEqual({
      cloud: 'aws',
      scope: '123456789012',
      location: 'us-east-1',
      name: 'shop',
      kubernetesVersion: '1.34',
      labels: { env: 'prod' },
      environment: 'prod',
      endpoint: { public: true, private: true, authorizedCidrs: ['1.2.3.0/24'] },
      network: { plugin: 'vpc-cni', serviceCidr: '10.100.0.0/16' },
      secretsEncryption: { keyRef: 'arn:aws:kms:us-east-1:1:key/k' },
      addons: ['aws-ebs-csi-driver'],
      nodePools: [],
    });
  });

  it('cuts full versions to the minor EKS takes', () => {
    expect(eksMinor('1.31.2')).toBe('1.31');
    expect(eksMinor('v1.30')).toBe('1.30');
  });
});
