import { describe, expect, it } from 'vitest';
import { bundledCatalog } from './catalog/index';
import type { ClonePlan } from './schemas';
import { gkeSource } from './testing/fixtures';
import { planClone } from './translate/plan';
import { validatePlan } from './validate';

const fresh = (): ClonePlan =>
  structuredClone(planClone([gkeSource], { cloud: 'aws' }, bundledCatalog, { id: 'p1' }));

describe('validatePlan refuses hand-edited plans with field paths', () => {
  // [what the user edited, edit, expected path, message pattern]
  it.each([
    [
      'unknown machine type',
      (p: ClonePlan) => {
        p.items[0]!.target.nodePools[1]!.machineType = 'm99.huge';
      },
      'items[0].target.nodePools[1].machineType',
      /unknown aws machine type "m99.huge" in eu-central-1/,
    ],
    [
      'unsupported version',
      (p: ClonePlan) => {
        p.items[0]!.target.kubernetesVersion = '1.29';
      },
      'items[0].target.kubernetesVersion',
      /does not support Kubernetes "1.29"/,
    ],
    [
      'EKS patch version',
      (p: ClonePlan) => {
        p.items[0]!.target.kubernetesVersion = '1.34.2';
      },
      'items[0].target.kubernetesVersion',
      /EKS takes a minor version only/,
    ],
    [
      'illegal cluster name',
      (p: ClonePlan) => {
        p.items[0]!.target.name = '-bad name-';
      },
      'items[0].target.name',
      /not legal: EKS cluster names/,
    ],
    [
      'illegal pool name',
      (p: ClonePlan) => {
        p.items[0]!.target.nodePools[0]!.name = 'bad pool!';
      },
      'items[0].target.nodePools[0].name',
      /EKS node group names/,
    ],
    [
      'zone of another region',
      (p: ClonePlan) => {
        p.items[0]!.target.nodePools[0]!.zones = ['us-east-1a'];
      },
      'items[0].target.nodePools[0].zones[0]',
      /not a zone of eu-central-1/,
    ],
    [
      'count outside autoscaling',
      (p: ClonePlan) => {
        p.items[0]!.target.nodePools[0]!.nodeCount = 50;
      },
      'items[0].target.nodePools[0].nodeCount',
      /outside autoscaling 3-12/,
    ],
    [
      'unknown location',
      (p: ClonePlan) => {
        p.items[0]!.target.location = 'eu-central-9';
      },
      'items[0].target.location',
      /not a location offering managed Kubernetes on aws/,
    ],
    [
      'illegal tag',
      (p: ClonePlan) => {
        p.items[0]!.target.labels['aws:owner'] = 'me';
      },
      'items[0].target.labels["aws:owner"]',
      /reserved/,
    ],
    [
      'pool newer than control plane',
      (p: ClonePlan) => {
        p.items[0]!.target.nodePools[0]!.kubernetesVersion = '1.35';
      },
      'items[0].target.nodePools[0].kubernetesVersion',
      /newer Kubernetes than its control plane/,
    ],
  ] as const)('%s', (_what, edit, path, message) => {
    const p = fresh();
    edit(p);
    const v = validatePlan(p, bundledCatalog);
    expect(v.ok).toBe(false);
    const issue = v.issues.find((i) => i.path === path);
    expect(issue, JSON.stringify(v.issues)).toBeDefined();
    expect(issue!.message).toMatch(message);
  });

  it('reports schema errors with their path, missing fields as Required', () => {
    const p = fresh() as unknown as { items: { target: { nodePools: Record<string, unknown>[] } }[] };
    delete p.items[0]!.target.nodePools[0]!.machineType;
    const v = validatePlan(p, bundledCatalog);
    expect(v.issues).toEqual([{ path: 'items[0].target.nodePools[0].machineType', message: 'Required' }]);
  });

  it('refuses an AKS target without a system pool', () => {
    const p = structuredClone(planClone([gkeSource], { cloud: 'azure' }, bundledCatalog));
    p.items[0]!.target.nodePools.pop();
    expect(validatePlan(p, bundledCatalog).issues.map((i) => i.path)).toContain('items[0].target.nodePools');
  });

  it('refuses error-level warnings unless overridden', () => {
    const p = planClone(
      [
        {
          ...gkeSource,
          kubernetesVersion: '1.40.1-gke.1',
          nodePools: [gkeSource.nodePools[0]!].map((x) => ({ ...x, kubernetesVersion: undefined })),
        },
      ],
      { cloud: 'aws' },
      bundledCatalog,
    );
    expect(validatePlan(p, bundledCatalog).issues).toEqual([
      { path: 'items[0].warnings[0]', message: expect.stringMatching(/^kubernetes-version.downgrade/) },
    ]);
    expect(validatePlan(p, bundledCatalog, { allowErrorWarnings: true }).ok).toBe(true);
  });

  it('accepts the plans Dolly makes', () => {
    expect(validatePlan(fresh(), bundledCatalog)).toMatchObject({ ok: true, issues: [] });
  });
});
