import { describe, expect, it } from 'vitest';
import {
  gcpLabelValue,
  gkeAddons,
  gkeClusterBody,
  gkePoolBody,
  gkePoolToSpec,
  gkeToSpec,
  isZone,
  poolZones,
} from './map';

const ZONES = ['us-central1-a', 'us-central1-b', 'us-central1-c'];

describe('GKE node pool <-> NodePoolSpec', () => {
  it('multiplies per-zone counts out to totals (and autoscaling limits)', () => {
    const pool = gkePoolToSpec(
      {
        name: 'general',
        initialNodeCount: 2,
        autoscaling: { enabled: true, minNodeCount: 1, maxNodeCount: 3 },
        config: {
          machineType: 'n2-standard-4',
          spot: true,
          taints: [
            { key: 'a', value: 'b', effect: 'NO_SCHEDULE' },
            { key: 'c', value: '', effect: 3 },
          ],
          diskSizeGb: 100,
        },
        maxPodsConstraint: { maxPodsPerNode: '110' },
      },
      ZONES,
    );
    expect(pool).toMatchObject({
      nodeCount: 6,
      autoscaling: { minNodes: 3, maxNodes: 9 },
      spot: true,
      zones: ZONES,
      taints: [
        { key: 'a', value: 'b', effect: 'NoSchedule' },
        { key: 'c', effect: 'NoExecute' },
      ],
      diskSizeGb: 100,
      maxPods: 110,
    });
  });

  it('divides totals back per zone on create, with total autoscaling limits', () => {
    const body = gkePoolBody(
      {
        name: 'p',
        machineType: 'e2-standard-2',
        nodeCount: 9,
        autoscaling: { minNodes: 3, maxNodes: 9 },
        spot: false,
        labels: {},
        taints: [],
      },
      ZONES,
      {},
    );
    expect(body.initialNodeCount).toBe(3);
    expect(body.autoscaling).toMatchObject({ totalMinNodeCount: 3, totalMaxNodeCount: 9 });
    expect(gkePoolToSpec(body, ZONES).autoscaling).toEqual({ minNodes: 3, maxNodes: 9 });
  });

  const pool = (nodeCount: number) => ({
    name: 'p',
    machineType: 'e2-standard-2',
    nodeCount,
    spot: false,
    labels: {},
    taints: [],
  });

  it.each([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12])(
    'creates exactly %i nodes in a regional cluster when the pool names no zones',
    (total) => {
      const zones = poolZones(pool(total), 'us-central1', ZONES);
      const body = gkePoolBody(pool(total), zones, {});
      expect(Number(body.initialNodeCount) * zones.length).toBe(total);
      expect(gkePoolToSpec(body, ZONES).nodeCount).toBe(total);
    },
  );

  it('refuses a total that does not divide over the zones it names instead of adding nodes', () => {
    expect(() => gkePoolBody(pool(7), ZONES, {})).toThrow(/7 nodes do not divide over 3 zones/);
  });

  it('knows zonal from regional locations', () => {
    expect(isZone('us-central1-a')).toBe(true);
    expect(isZone('us-central1')).toBe(false);
    const pool = { name: 'p', machineType: 'x', nodeCount: 3, spot: false, labels: {}, taints: [] };
    expect(poolZones(pool, 'us-central1-f', ZONES)).toEqual(['us-central1-f']);
    expect(poolZones(pool, 'us-central1', [...ZONES, 'us-central1-f'])).toEqual(ZONES);
  });
});

describe('GKE cluster -> ClusterSpec', () => {
  it('maps resource labels, CIDRs and authorized networks', () => {
    const spec = gkeToSpec(
      {
        name: 'c',
        location: 'europe-west3',
        currentMasterVersion: '1.34.9-gke.1',
        resourceLabels: { env: 'prod' },
        locations: ['europe-west3-a'],
        ipAllocationPolicy: { clusterIpv4CidrBlock: '10.8.0.0/14', servicesIpv4CidrBlock: '10.12.0.0/20' },
        masterAuthorizedNetworksConfig: { enabled: true, cidrBlocks: [{ cidrBlock: '203.0.113.0/24' }] },
      },
      'proj',
    );
    expect(spec).toEqual({
      cloud: 'gcp',
      scope: 'proj',
      location: 'europe-west3',
      name: 'c',
      kubernetesVersion: '1.34.9-gke.1',
      labels: { env: 'prod' },
      environment: 'prod',
      endpoint: { public: true, private: false, authorizedCidrs: ['203.0.113.0/24'] },
      network: { podCidr: '10.8.0.0/14', serviceCidr: '10.12.0.0/20', plugin: 'gke-native' },
      nodePools: [],
    });
  });

  it('makes plan ids legal GCP label values', () => {
    expect(gcpLabelValue('Plan_ABC.1')).toBe('plan_abc-1');
  });
});

describe('GKE addonsConfig <-> ClusterSpec.addons', () => {
  it('reads enabled add-ons of both switch styles and writes them back', () => {
    const addonsConfig = {
      httpLoadBalancing: {},
      horizontalPodAutoscaling: { disabled: true },
      gcePersistentDiskCsiDriverConfig: { enabled: true },
      gcpFilestoreCsiDriverConfig: { enabled: false },
      dnsCacheConfig: { enabled: true },
    };
    const spec = gkeToSpec({ name: 'c', location: 'us-central1', addonsConfig }, 'p');
    expect(spec.addons).toEqual(['dnsCacheConfig', 'gcePersistentDiskCsiDriverConfig', 'httpLoadBalancing']);
    const body = gkeClusterBody(spec, {}, ZONES);
    expect(gkeAddons(body.addonsConfig)).toEqual(spec.addons);
  });
});
