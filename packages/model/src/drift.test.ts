import { describe, expect, it } from 'vitest';
import { bundledCatalog } from './catalog/index';
import { cloneDrift, diffClusterSpecs, driftFingerprintText } from './drift';
import type { ClusterSpec, NodePoolSpec } from './schemas';
import { ORDERED_PAIRS, sources } from './testing/fixtures';
import { normaliseCluster, planClone } from './translate/plan';

/** A small seeded generator: the same cases on every run, many of them. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const clone = <T>(v: T): T => structuredClone(v);

/** What the target cloud reports for a cluster created exactly as planned: the plan's target, read back. */
function createdAsPlanned(source: ClusterSpec, cloud: ClusterSpec['cloud']) {
  const plan = planClone([source], { cloud, scope: 'target-scope' }, bundledCatalog);
  const item = plan.items[0];
  if (!item) throw new Error('no plan item');
  const created = normaliseCluster({ ...clone(item.target), scope: 'target-scope' });
  return { item, created };
}

interface Mutation {
  name: string;
  /** Changes `c` in place and returns the one path that must be reported, or null when it does not apply. */
  apply(c: ClusterSpec, pick: (n: number) => number): string | null;
}

const poolOf = (
  c: ClusterSpec,
  pick: (n: number) => number,
  ok: (p: NodePoolSpec) => boolean = () => true,
) => {
  const pools = c.nodePools.filter(ok);
  return pools.length ? pools[pick(pools.length)] : undefined;
};

const mutations: Mutation[] = [
  {
    name: 'kubernetes minor version',
    apply: (c) => {
      const [maj, min] = c.kubernetesVersion.split('.');
      c.kubernetesVersion = `${maj}.${Number(min) - 1}`;
      return 'kubernetesVersion';
    },
  },
  {
    name: 'pool removed',
    apply: (c, pick) => {
      const p = poolOf(c, pick);
      if (!p) return null;
      c.nodePools = c.nodePools.filter((x) => x !== p);
      return `nodePools[${p.name}]`;
    },
  },
  {
    name: 'pool added',
    apply: (c) => {
      const first = c.nodePools[0];
      if (!first) return null;
      c.nodePools.push({ ...clone(first), name: 'added-by-hand' });
      return 'nodePools[added-by-hand]';
    },
  },
  {
    name: 'machine type',
    apply: (c, pick) => {
      const p = poolOf(c, pick);
      if (!p) return null;
      p.machineType = `${p.machineType}-other`;
      return `nodePools[${p.name}].machineType`;
    },
  },
  {
    name: 'node count of a fixed-size pool',
    apply: (c, pick) => {
      const p = poolOf(c, pick, (x) => !x.autoscaling);
      if (!p) return null;
      p.nodeCount += 1 + pick(5);
      return `nodePools[${p.name}].nodeCount`;
    },
  },
  {
    name: 'autoscaling bounds',
    apply: (c, pick) => {
      const p = poolOf(c, pick, (x) => !!x.autoscaling);
      if (!p?.autoscaling) return null;
      p.autoscaling = { ...p.autoscaling, maxNodes: p.autoscaling.maxNodes + 1 + pick(4) };
      return `nodePools[${p.name}].autoscaling`;
    },
  },
  {
    name: 'pool label added',
    apply: (c, pick) => {
      const p = poolOf(c, pick);
      if (!p) return null;
      p.labels = { ...p.labels, 'added-by-hand': 'yes' };
      return `nodePools[${p.name}].labels.added-by-hand`;
    },
  },
  {
    name: 'cluster label changed',
    apply: (c) => {
      c.labels = { ...c.labels, owner: `${c.labels.owner ?? 'nobody'}-changed` };
      return 'labels.owner';
    },
  },
  {
    name: 'taint added',
    apply: (c, pick) => {
      const p = poolOf(c, pick);
      if (!p) return null;
      p.taints = [...p.taints, { key: 'added-by-hand', value: 'x', effect: 'NoSchedule' }];
      return `nodePools[${p.name}].taints`;
    },
  },
  {
    name: 'spot flipped',
    apply: (c, pick) => {
      const p = poolOf(c, pick);
      if (!p) return null;
      p.spot = !p.spot;
      return `nodePools[${p.name}].spot`;
    },
  },
  {
    name: 'zones changed',
    apply: (c, pick) => {
      const p = poolOf(c, pick, (x) => (x.zones?.length ?? 0) > 1);
      if (!p?.zones) return null;
      p.zones = p.zones.slice(1);
      return `nodePools[${p.name}].zones`;
    },
  },
];

describe('clone drift (property-style over every fixture and cloud pair)', () => {
  it.each(ORDERED_PAIRS)('%s → %s: a clone created as planned has no drift', (from, to) => {
    const source = sources[from];
    const { item, created } = createdAsPlanned(source, to);
    expect(cloneDrift({ target: item.target, clone: created, planSource: item.source, source })).toEqual([]);
  });

  it.each(ORDERED_PAIRS)('%s → %s: each changed field of the clone is exactly one finding', (from, to) => {
    const rand = prng(from.length * 31 + to.length);
    const pick = (n: number) => Math.floor(rand() * n);
    const source = sources[from];
    const { item, created } = createdAsPlanned(source, to);
    let applied = 0;
    for (let round = 0; round < 5; round++) {
      for (const m of mutations) {
        const changed = clone(created);
        const path = m.apply(changed, pick);
        if (!path) continue;
        applied++;
        const findings = cloneDrift({ target: item.target, clone: changed, planSource: item.source, source });
        expect(
          findings.map((f) => f.path),
          `${m.name}`,
        ).toEqual([path]);
      }
    }
    expect(applied).toBeGreaterThan(mutations.length * 3);
  });

  it.each(ORDERED_PAIRS)('%s → %s: each changed field of the source is one `source.` finding', (from, to) => {
    const rand = prng(7 + from.length * 13 + to.length);
    const pick = (n: number) => Math.floor(rand() * n);
    const source = sources[from];
    const { item, created } = createdAsPlanned(source, to);
    for (const m of mutations) {
      const moved = clone(source);
      const path = m.apply(moved, pick);
      if (!path) continue;
      const findings = cloneDrift({
        target: item.target,
        clone: created,
        planSource: item.source,
        source: moved,
      });
      expect(
        findings.map((f) => f.path),
        m.name,
      ).toEqual([`source.${path}`]);
    }
  });

  it('does not count what the target cloud adds itself, a patch upgrade, or an autoscaler moving the count', () => {
    const { item, created } = createdAsPlanned(sources.gcp, 'aws');
    const read = clone(created);
    read.kubernetesVersion = `${read.kubernetesVersion.split('.').slice(0, 2).join('.')}.7-eks-1`;
    for (const p of read.nodePools) {
      p.labels = { ...p.labels, 'eks.amazonaws.com/nodegroup': p.name };
      if (p.autoscaling) p.nodeCount = p.autoscaling.maxNodes;
    }
    expect(diffClusterSpecs(item.target, read, { mode: 'translated' })).toEqual([]);
  });

  it('reports expected and actual with a severity', () => {
    const { item, created } = createdAsPlanned(sources.aws, 'gcp');
    const read = clone(created);
    const pool = read.nodePools[0] as NodePoolSpec;
    const before = pool.machineType;
    pool.machineType = 'n2-standard-96';
    expect(diffClusterSpecs(item.target, read, { mode: 'translated' })).toEqual([
      {
        path: `nodePools[${pool.name}].machineType`,
        expected: before,
        actual: 'n2-standard-96',
        severity: 'critical',
      },
    ]);
  });
});

describe('driftFingerprintText', () => {
  const a = { path: 'a', expected: 1, actual: 2, severity: 'info' as const };
  const b = { path: 'b', expected: { y: 1, x: 2 }, actual: null, severity: 'critical' as const };
  it('is the same whatever order the findings and their keys come in', () => {
    expect(driftFingerprintText([a, b])).toBe(driftFingerprintText([{ ...b, expected: { x: 2, y: 1 } }, a]));
  });
  it('changes when a finding changes', () => {
    expect(driftFingerprintText([a])).not.toBe(driftFingerprintText([{ ...a, actual: 3 }]));
    expect(driftFingerprintText([])).not.toBe(driftFingerprintText([a]));
  });
  const w = {
    namespace: 'shop',
    kind: 'Deployment',
    name: 'web',
    path: 'spec.replicas',
    expected: 2,
    actual: 5,
  };
  const v = {
    namespace: 'shop',
    kind: 'ConfigMap',
    name: 'cfg',
    path: 'object',
    expected: 'present',
    actual: null,
  };
  it('covers workload findings, in any order, and keeps infra-only fingerprints as they were', () => {
    expect(driftFingerprintText([a], [])).toBe(driftFingerprintText([a]));
    expect(driftFingerprintText([a], [w])).not.toBe(driftFingerprintText([a]));
    expect(driftFingerprintText([], [w])).not.toBe(driftFingerprintText([]));
    expect(driftFingerprintText([a], [w, v])).toBe(driftFingerprintText([a], [v, w]));
    expect(driftFingerprintText([a], [w])).not.toBe(driftFingerprintText([a], [{ ...w, actual: 6 }]));
  });
});
