import { describe, expect, it } from 'vitest';
import { bundledCatalog } from '../catalog/index';
import type { CloudId } from '../catalog/types';
import { type ClonePlan, type ClusterSpec, clonePlanSchema } from '../schemas';
import { aksSource, eksSource, gkeSource, ORDERED_PAIRS, sources } from '../testing/fixtures';
import { validatePlan } from '../validate';
import { labelKeyProblem, labelValueProblem } from './labels';
import { PlanError, planClone, unexplainedChanges } from './plan';

const plan = (source: ClusterSpec, cloud: CloudId, extra: Record<string, string> = {}): ClonePlan =>
  planClone([source], { cloud, ...extra }, bundledCatalog, {
    id: 'plan-test',
    createdAt: '2026-11-21T08:00:00Z',
  });

describe.each(ORDERED_PAIRS)('%s -> %s', (from, to) => {
  const source = sources[from];
  const p = plan(source, to);
  const item = p.items[0]!;
  const { target } = item;
  // The AKS system pool Dolly may add comes last; pools before it map one to one.
  const translated = target.nodePools.slice(0, source.nodePools.length);

  it('produces a schema-valid plan whose target passes the target cloud validation', () => {
    expect(clonePlanSchema.safeParse(p).success).toBe(true);
    expect(validatePlan(p, bundledCatalog).issues).toEqual([]);
  });

  it('explains every field of target that differs from source', () => {
    expect(unexplainedChanges(item)).toEqual([]);
  });

  it('never emits a placeholder', () => {
    const text = JSON.stringify(target);
    expect(text).not.toMatch(/placeholder|TODO|TBD|unknown|undefined|null/i);
    for (const pool of target.nodePools)
      expect(bundledCatalog.machineType(to, pool.machineType, target.location)).toBeDefined();
  });

  it('carries node counts, autoscaling, spot, user labels and user taints', () => {
    source.nodePools.forEach((s, i) => {
      const t = translated[i]!;
      if (to === 'gcp' && t.zones) expect(t.nodeCount % t.zones.length).toBe(0);
      expect(t.nodeCount).toBe(s.nodeCount);
      expect(t.autoscaling).toEqual(s.autoscaling);
      const systemSpot = to === 'azure' && s.mode === 'system';
      expect(t.spot).toBe(systemSpot ? false : s.spot);
      for (const [k, v] of Object.entries(s.labels)) {
        if (/^(cloud\.google\.com|eks\.amazonaws\.com|kubernetes\.azure\.com)\//.test(k))
          expect(t.labels[k]).toBeUndefined();
        else expect(t.labels[k]).toBe(v);
      }
      const userTaints = s.taints.filter((x) => !x.key.startsWith('kubernetes.azure.com/'));
      expect(t.taints).toEqual(userTaints);
    });
  });

  it('keeps the number of zones, in the target region', () => {
    const region = bundledCatalog.region(to, target.location)!;
    source.nodePools.forEach((s, i) => {
      const t = translated[i]!;
      // GKE may use fewer zones so the total divides evenly (never more nodes); a warning says so.
      const reduced = item.warnings.some(
        (w) => w.code === 'zones.reduced-to-keep-total' && w.path === `nodePools[${i}].zones`,
      );
      if (s.zones && !reduced) expect(t.zones?.length).toBe(Math.min(s.zones.length, region.zones.length));
      if (reduced) expect(t.nodeCount % t.zones!.length).toBe(0);
      for (const z of t.zones ?? []) expect(region.zones).toContain(z);
    });
  });

  it('keeps arm64 on arm64 and never picks GPU, burstable or previous-generation types the source did not have', () => {
    source.nodePools.forEach((s, i) => {
      const st = bundledCatalog.machineType(from, s.machineType)!;
      const tt = bundledCatalog.machineType(to, translated[i]!.machineType)!;
      expect(tt.arch).toBe(st.arch);
      if (st.gpus === 0) expect(tt.gpus).toBe(0);
      if (!st.burstable) expect(tt.burstable).toBe(false);
      if (from !== to) expect(tt.previousGeneration).toBe(false);
    });
  });

  it('adds provenance labels legal on every cloud', () => {
    expect(target.labels['dolly-source-cloud']).toBe(from);
    expect(target.labels['dolly-plan']).toBe('plan-test');
    expect(target.labels['dolly-source-cluster']).toBeDefined();
    for (const cloud of ['aws', 'azure', 'gcp'] as const) {
      for (const k of ['dolly-source-cloud', 'dolly-source-cluster', 'dolly-plan']) {
        expect(labelKeyProblem(cloud, k)).toBeUndefined();
        expect(labelValueProblem(cloud, target.labels[k]!)).toBeUndefined();
      }
    }
  });

  it('has exactly the AKS system pool rules on AKS and no pool modes elsewhere', () => {
    if (to === 'azure') {
      expect(target.nodePools.filter((x) => x.mode === 'system').length).toBeGreaterThanOrEqual(1);
    } else {
      for (const pool of target.nodePools) expect(pool.mode).toBeUndefined();
    }
  });

  it('is deterministic', () => {
    expect(plan(source, to)).toEqual(p);
    const a = planClone([source], { cloud: to }, bundledCatalog);
    const b = planClone([source], { cloud: to }, bundledCatalog);
    expect(a.id).toBe(b.id);
    expect(a).toEqual(b);
  });
});

describe('cluster-level rules', () => {
  it('keeps a same-cloud clone in place, with the same types and versions', () => {
    const item = plan(eksSource, 'aws').items[0]!;
    expect(item.target.location).toBe('us-east-1');
    expect(item.target.scope).toBe('123456789012');
    expect(item.target.nodePools.map((x) => x.machineType)).toEqual([
      'm6i.xlarge',
      'm7g.2xlarge',
      't3.medium',
    ]);
    expect(item.target.nodePools[0]!.zones).toEqual(['us-east-1a', 'us-east-1b']);
  });

  it('moves a same-cloud copy to another region and maps its zones', () => {
    const item = plan(gkeSource, 'gcp', { location: 'us-central1', scope: 'acme-dr' }).items[0]!;
    expect(item.target.scope).toBe('acme-dr');
    expect(item.target.nodePools[0]!.zones).toEqual(['us-central1-a', 'us-central1-b', 'us-central1-c']);
    expect(item.decisions.find((d) => d.path === 'location')?.rule).toBe('location.explicit');
    expect(item.dropped.map((d) => d.code)).toContain('secrets-encryption.key-not-portable');
    expect(unexplainedChanges(item)).toEqual([]);
  });

  it('explains which tier chose the location', () => {
    const d = plan(aksSource, 'aws').items[0]!.decisions.find((x) => x.path === 'location')!;
    expect(d.rule).toBe('location.nearest-same-geography');
    expect(d.reason).toMatch(
      /westeurope .* -> eu-west-2 .* km; nearest EKS region in the same geography \(Europe\)/,
    );
  });

  it('refuses an unknown explicit target location with its field', () => {
    expect(() => plan(gkeSource, 'aws', { location: 'mars-1' })).toThrow(
      /items\[0\]\.source\.location: "mars-1"/,
    );
  });

  it('creates the AKS system pool when the source has none, and says so', () => {
    const item = plan(gkeSource, 'azure').items[0]!;
    const system = item.target.nodePools.at(-1)!;
    expect(system).toMatchObject({ name: 'system', mode: 'system', os: 'linux', spot: false, nodeCount: 3 });
    expect(system.taints).toEqual([{ key: 'CriticalAddonsOnly', value: 'true', effect: 'NoSchedule' }]);
    const t = bundledCatalog.machineType('azure', system.machineType)!;
    expect(t.vcpus).toBeGreaterThanOrEqual(2);
    expect(t.burstable).toBe(false);
    expect(item.decisions.find((d) => d.rule === 'aks.system-pool-created')?.path).toBe('nodePools[3]');
  });

  it('keeps the source AKS system pool instead of adding one', () => {
    const item = plan(aksSource, 'azure').items[0]!;
    expect(item.target.nodePools).toHaveLength(3);
  });

  it('turns a spot AKS system pool into regular VMs', () => {
    const src: ClusterSpec = { ...aksSource, nodePools: [{ ...aksSource.nodePools[0]!, spot: true }] };
    const item = plan(src, 'azure').items[0]!;
    expect(item.target.nodePools[0]!.spot).toBe(false);
    expect(item.decisions.find((d) => d.rule === 'spot.aks-system-pool')).toBeDefined();
  });

  it('lists EKS add-ons and warns about the autoscaler when cloning to EKS', () => {
    const item = plan(gkeSource, 'aws').items[0]!;
    expect(item.target.addons).toEqual(['aws-ebs-csi-driver']);
    expect(item.warnings.map((w) => w.code)).toContain('features.eks-cluster-autoscaler');
  });

  it('maps the EKS CSI add-on to its GKE equivalent, and to nothing on AKS where it is built in', () => {
    const gke = plan(eksSource, 'gcp').items[0]!;
    expect(gke.target.addons).toEqual(['gcePersistentDiskCsiDriverConfig']);
    expect(gke.decisions.find((d) => d.path === 'addons')?.rule).toBe('addons.equivalent');
    const aks = plan(eksSource, 'azure').items[0]!;
    expect(aks.target.addons).toBeUndefined();
    expect(aks.decisions.find((d) => d.path === 'addons')?.rule).toBe('features.built-in');
  });

  it('carries GKE and AKS add-ons: equivalents where they exist, the rest listed as not carried', () => {
    const gkeAddons = ['gcePersistentDiskCsiDriverConfig', 'horizontalPodAutoscaling', 'httpLoadBalancing'];
    const fromGke = plan({ ...gkeSource, addons: gkeAddons }, 'aws').items[0]!;
    expect(fromGke.target.addons).toEqual(['aws-ebs-csi-driver', 'metrics-server']);
    expect(fromGke.dropped.filter((d) => d.code === 'addon.not-on-target').map((d) => d.path)).toEqual([
      'addons["httpLoadBalancing"]',
    ]);
    expect(plan({ ...gkeSource, addons: gkeAddons }, 'gcp').items[0]!.target.addons).toEqual(gkeAddons);
    const aks = { ...aksSource, addons: ['azureKeyvaultSecretsProvider', 'azurepolicy', 'omsagent'] };
    const same = plan(aks, 'azure').items[0]!;
    expect(same.target.addons).toEqual(['azureKeyvaultSecretsProvider', 'azurepolicy']);
    expect(same.dropped.map((d) => d.code)).toContain('addon.needs-settings');
    const toGke = plan(aks, 'gcp').items[0]!;
    expect(toGke.target.addons).toBeUndefined();
    expect(toGke.dropped.filter((d) => d.path.startsWith('addons')).map((d) => d.path)).toHaveLength(3);
    for (const item of [fromGke, same, toGke]) expect(unexplainedChanges(item)).toEqual([]);
  });

  it('uses Azure CNI overlay for a pod CIDR on AKS and reports the AKS DNS address elsewhere', () => {
    const toAks = plan(gkeSource, 'azure').items[0]!;
    expect(toAks.target.network).toMatchObject({
      plugin: 'azure',
      pluginMode: 'overlay',
      podCidr: '10.8.0.0/14',
    });
    const aks = {
      ...aksSource,
      network: { ...aksSource.network, pluginMode: 'overlay', dnsServiceIp: '10.0.0.10' },
    };
    expect(plan(aks, 'azure').items[0]!.target.network).toEqual(aks.network);
    const toGke = plan(aks, 'gcp').items[0]!;
    expect(toGke.target.network?.pluginMode).toBeUndefined();
    expect(toGke.dropped.map((d) => d.path)).toContain('network.dnsServiceIp');
    for (const item of [toAks, toGke]) expect(unexplainedChanges(item)).toEqual([]);
  });

  it.each(['aws', 'gcp', 'azure'] as const)(
    'plans an AKS Standard_B2s pool to %s onto a burstable type',
    (to) => {
      const src: ClusterSpec = {
        ...aksSource,
        nodePools: [
          ...aksSource.nodePools,
          { ...aksSource.nodePools[2]!, name: 'small', machineType: 'Standard_B2s' },
        ],
      };
      const item = plan(src, to).items[0]!;
      const pool = item.target.nodePools[3]!;
      const type = bundledCatalog.machineType(to, pool.machineType)!;
      expect(type.vcpus).toBeGreaterThanOrEqual(2);
      expect(type.memoryGiB).toBeGreaterThanOrEqual(4);
      if (to === 'azure') expect(pool.machineType).toBe('Standard_B2s');
      expect(validatePlan({ ...plan(src, to) }, bundledCatalog).issues).toEqual([]);
    },
  );

  it('refuses, naming the field, a target type the catalog does not offer in the region', () => {
    const p = plan(eksSource, 'azure');
    p.items[0]!.target.nodePools[0]!.machineType = 'Standard_Nope_v9';
    expect(validatePlan(p, bundledCatalog).issues.map((i) => i.path)).toContain(
      'items[0].target.nodePools[0].machineType',
    );
  });

  it('drops a key reference across clouds, and uses the target key when given', () => {
    expect(plan(gkeSource, 'aws').items[0]!.dropped.map((d) => d.path)).toContain('secretsEncryption');
    const item = plan(gkeSource, 'aws', { secretsKeyRef: 'arn:aws:kms:eu-central-1:1:key/k' }).items[0]!;
    expect(item.target.secretsEncryption).toEqual({ keyRef: 'arn:aws:kms:eu-central-1:1:key/k' });
  });

  it('drops the pod CIDR on EKS and keeps it on AKS and GKE', () => {
    expect(plan(gkeSource, 'aws').items[0]!.target.network).toEqual({
      plugin: 'vpc-cni',
      serviceCidr: '10.12.0.0/20',
    });
    expect(plan(gkeSource, 'azure').items[0]!.target.network?.podCidr).toBe('10.8.0.0/14');
    expect(plan(aksSource, 'gcp').items[0]!.target.network).toEqual({
      plugin: 'gke-native',
      podCidr: '192.168.0.0/16',
      serviceCidr: '10.0.0.0/16',
    });
  });

  it('carries endpoint access and authorized CIDRs', () => {
    expect(plan(gkeSource, 'azure').items[0]!.target.endpoint).toEqual(gkeSource.endpoint);
  });

  it('sanitises tags per cloud and records each change', () => {
    const item = plan(eksSource, 'gcp').items[0]!;
    expect(item.target.labels.team).toBe('payments');
    expect(item.dropped.map((d) => d.path)).toContain('labels["aws:cloudformation:stack-name"]');
    expect(item.decisions.find((d) => d.path === 'labels["team"]')).toMatchObject({
      from: { key: 'Team', value: 'Payments' },
      to: { key: 'team', value: 'payments' },
    });
  });

  it('keeps GKE autoscaling bounds as totals (GKE takes total min/max) and the plan validates', () => {
    const src: ClusterSpec = {
      ...eksSource,
      nodePools: [{ ...eksSource.nodePools[2]!, nodeCount: 1, autoscaling: { minNodes: 1, maxNodes: 2 } }],
    };
    const p = plan(src, 'gcp');
    const pool = p.items[0]!.target.nodePools[0]!;
    expect(pool.nodeCount).toBe(1);
    expect(pool.zones).toHaveLength(1);
    expect(pool.autoscaling).toEqual({ minNodes: 1, maxNodes: 2 });
    expect(validatePlan(p, bundledCatalog).ok).toBe(true);
  });

  it.each([
    [2, 2],
    [4, 2],
    [5, 1],
    [6, 3],
  ])(
    'keeps %i nodes on a regional GKE target by spreading them over %i zone(s), with a warning',
    (total, zones) => {
      const src: ClusterSpec = {
        ...eksSource,
        nodePools: [{ ...eksSource.nodePools[2]!, nodeCount: total }],
      };
      const item = plan(src, 'gcp').items[0]!;
      const pool = item.target.nodePools[0]!;
      expect(pool.nodeCount).toBe(total);
      expect(pool.zones).toHaveLength(zones);
      expect(item.decisions.map((d) => d.rule)).toContain('zones.gke-regional-default');
      const reduced = item.warnings.filter((w) => w.code === 'zones.reduced-to-keep-total');
      expect(reduced.map((w) => w.path)).toEqual(zones < 3 ? ['nodePools[0].zones'] : []);
    },
  );

  it('clamps max pods to the target range; on EKS lists max pods and disk type as not carried', () => {
    const src: ClusterSpec = { ...gkeSource, nodePools: [{ ...gkeSource.nodePools[0]!, maxPods: 256 }] };
    const aws = plan(src, 'aws').items[0]!;
    expect(aws.target.nodePools[0]!.maxPods).toBeUndefined();
    expect(aws.target.nodePools[0]!.diskType).toBeUndefined();
    expect(aws.dropped.filter((d) => d.path.startsWith('nodePools[0].')).map((d) => d.code)).toEqual([
      'disk.type-needs-launch-template',
      'max-pods.needs-launch-template',
    ]);
    expect(aws.dropped.find((d) => d.path === 'nodePools[0].maxPods')?.message).toMatch(/prefix delegation/);
    const azure = plan({ ...gkeSource, nodePools: [{ ...gkeSource.nodePools[0]!, maxPods: 8 }] }, 'azure')
      .items[0]!;
    expect(azure.target.nodePools[0]!.maxPods).toBe(10);
  });

  it('maps disk types by class and raises boot disks to the target minimum', () => {
    const src: ClusterSpec = {
      ...aksSource,
      nodePools: [{ ...aksSource.nodePools[0]!, diskSizeGb: 8, diskType: 'Ephemeral' }],
    };
    const pool = plan(src, 'gcp').items[0]!.target.nodePools[0]!;
    expect(pool.diskType).toBe('pd-balanced');
    expect(pool.diskSizeGb).toBe(10);
  });

  it('never puts a pool above its control plane', () => {
    const src: ClusterSpec = {
      ...eksSource,
      kubernetesVersion: '1.34',
      nodePools: [{ ...eksSource.nodePools[0]!, kubernetesVersion: '1.35' }],
    };
    const item = plan(src, 'azure').items[0]!;
    expect(item.target.kubernetesVersion).toBe('1.34.9');
    expect(item.target.nodePools[0]!.kubernetesVersion).toBe('1.34.9');
  });

  it('errors naming the pool when no type fits, never a placeholder', () => {
    const src: ClusterSpec = {
      ...eksSource,
      nodePools: [{ ...eksSource.nodePools[0]!, name: 'ml', machineType: 'inf2.xlarge' }],
    };
    try {
      plan(src, 'gcp');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PlanError);
      expect((e as PlanError).issues[0]).toMatchObject({ path: 'items[0].source.nodePools[0].machineType' });
      expect((e as PlanError).issues[0]!.message).toMatch(/pool "ml"/);
    }
  });

  it('plans only clusters matching the label filter', () => {
    const p = planClone([gkeSource, eksSource, aksSource], { cloud: 'aws' }, bundledCatalog, {
      labelFilter: { team: 'shop' },
    });
    expect(p.items.map((i) => i.source.name)).toEqual(['shop-prod']);
  });

  it('keeps cluster names unique within the plan', () => {
    const p = planClone(
      [gkeSource, { ...gkeSource, scope: 'other-project' }],
      { cloud: 'aws' },
      bundledCatalog,
    );
    expect(p.items.map((i) => i.target.name)).toEqual(['shop-prod', 'shop-prod-2']);
    expect(p.items[1]!.decisions.find((d) => d.path === 'name')?.rule).toBe('name.unique-in-plan');
    expect(unexplainedChanges(p.items[1]!)).toEqual([]);
  });

  it('applies name prefixes and suffixes legally', () => {
    const item = plan(eksSource, 'gcp', { namePrefix: 'DR_', nameSuffix: '-copy' }).items[0]!;
    expect(item.target.name).toBe('dr-payments-staging-copy');
    expect(item.decisions.find((d) => d.path === 'name')?.rule).toBe('name.legalised');
  });
});

describe('zonal GKE', () => {
  it('keeps a zonal GKE target zonal and puts every pool in its zone', () => {
    const item = plan(eksSource, 'gcp', { location: 'us-east4-b' }).items[0]!;
    expect(item.target.location).toBe('us-east4-b');
    for (const pool of item.target.nodePools) expect(pool.zones).toEqual(['us-east4-b']);
    expect(item.warnings.map((w) => w.code)).toContain('zones.reduced');
    expect(validatePlan({ ...plan(eksSource, 'gcp', { location: 'us-east4-b' }) }, bundledCatalog).ok).toBe(
      true,
    );
    expect(unexplainedChanges(item)).toEqual([]);
  });

  it('keeps an AKS copy in another region on logical zones', () => {
    const item = plan(aksSource, 'azure', { location: 'northeurope' }).items[0]!;
    expect(item.target.nodePools[0]!.zones).toEqual(['1', '2', '3']);
    expect(item.target.nodePools[0]!.machineType).toBe('Standard_D4s_v5');
    expect(unexplainedChanges(item)).toEqual([]);
  });
});
