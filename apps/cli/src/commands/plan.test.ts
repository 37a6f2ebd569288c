import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundledCatalog, clonePlanSchema, unexplainedChanges, validatePlan } from '@dolly/model';
import { describe, expect, it } from 'vitest';
import { costDeltaText, money } from '../format/plan-cost.ts';
import { type PlanCommandOptions, runPlan } from './plan';

const example = (name: string): string =>
  fileURLToPath(new URL(`../../../../examples/${name}`, import.meta.url));

function run(opts: Partial<PlanCommandOptions> & { source: string }, isTTY = false, columns = 120) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runPlan(
    { targetCloud: 'aws', ...opts },
    { stdout: (t) => out.push(t), stderr: (t) => err.push(t), isTTY, columns },
  );
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('dolly plan', () => {
  it.each([
    ['gke-shop-prod.json', 'aws'],
    ['gke-shop-prod.json', 'azure'],
    ['eks-payments-staging.json', 'gcp'],
    ['eks-payments-staging.json', 'azure'],
    ['aks-analytics-prod.json', 'aws'],
    ['aks-analytics-prod.json', 'gcp'],
    ['cluster-cloner-export.json', 'gcp'],
  ] as const)('prints one valid ClonePlan for %s -> %s when piped', (file, cloud) => {
    const r = run({ source: example(file), targetCloud: cloud });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const plan = clonePlanSchema.parse(JSON.parse(r.stdout));
    expect(validatePlan(plan, bundledCatalog).ok).toBe(true);
  });

  it('prints a table with the reasons on a terminal', () => {
    const r = run({ source: example('gke-shop-prod.json') }, true, 400);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${String.fromCharCode(27)}[`); // coloured on a terminal
    r.stdout = r.stdout.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
    expect(r.stdout).toMatch(/shop-prod \(GKE europe-west3\)\s+→\s+shop-prod \(EKS eu-central-1\)/);
    expect(r.stdout).toMatch(/nearest EKS region in the same country/);
    expect(r.stdout).toMatch(/dropped secretsEncryption/);
  });

  it('prints a plain table when asked for one while piped', () => {
    const r = run({ source: example('aks-analytics-prod.json'), targetCloud: 'gcp', output: 'table' });
    expect(r.stdout).not.toContain(String.fromCharCode(27));
    expect(r.stdout).toMatch(/analytics-prod \(AKS westeurope\)\s+→\s+analytics-prod \(GKE europe-west4\)/);
    // Offline nothing is asked of an account: the table says the snapshot was used.
    expect(r.stdout).toContain('Catalog: bundled snapshot (offline plan');
  });

  it('shows the monthly cost of source and target per item, per pool, with the price basis', () => {
    const json = clonePlanSchema.parse(
      JSON.parse(run({ source: example('eks-payments-staging.json'), targetCloud: 'azure' }).stdout),
    );
    const cost = json.items[0]?.cost;
    if (!cost) throw new Error('the plan has no cost');
    const r = run({ source: example('eks-payments-staging.json'), targetCloud: 'azure', output: 'table' });
    expect(r.code).toBe(0);
    const total = `Cost per month (USD, on-demand): ${money(cost.source.monthlyUsd)} → ${money(cost.target.monthlyUsd)}, ${costDeltaText(cost.source.monthlyUsd, cost.target.monthlyUsd)}`;
    expect(r.stdout).toContain(total);
    const [s0] = cost.source.pools;
    const [t0] = cost.target.pools;
    expect(r.stdout).toContain(
      `general_workers → generalworke: 4 × m5.xlarge ${money(s0?.monthlyUsd ?? null)} → 4 × Standard_D4as_v5 ${money(t0?.monthlyUsd ?? null)}`,
    );
    expect(r.stdout).toMatch(/graviton-spot → gravitonspot: 3 × m7g\.2xlarge \(spot, at on-demand price\)/);
    expect(r.stdout).toMatch(/system \(added\): — → 3 × \S+ \$[\d,.]+, \+\$[\d,.]+ \(more expensive\)/);
    expect(r.stdout).toContain(`${cost.source.priceDate}, reference region ${cost.source.priceRegion}`);
    expect(r.stdout).toContain(`${cost.target.priceDate}, reference region ${cost.target.priceRegion}`);
    expect(r.stdout).toContain('spot not priced');
  });

  it('formats the cost difference and unpriced types', () => {
    expect(money(1305.83)).toBe('$1,305.83');
    expect(money(null)).toBe('not priced');
    expect(costDeltaText(1305.83, 1365.83)).toBe('+$60.00 (+4.6%, more expensive)');
    expect(costDeltaText(560.64, 502.24)).toBe('-$58.40 (-10.4%, cheaper)');
    expect(costDeltaText(0, 186.15)).toBe('+$186.15 (more expensive)');
    expect(costDeltaText(10, 10)).toBe('no change');
    expect(costDeltaText(null, 10)).toBe('not priced');
  });

  it('uses the explicit location, scope and label filter', () => {
    const r = run({
      source: example('cluster-cloner-export.json'),
      targetLocation: 'eu-west-1',
      targetScope: '999',
      labelFilter: 'team=api',
    });
    const plan = clonePlanSchema.parse(JSON.parse(r.stdout));
    expect(plan.items.map((i) => [i.source.name, i.target.location, i.target.scope])).toEqual([
      ['legacy-api', 'eu-west-1', '999'],
    ]);
  });

  it('re-plans the sources of a plan file and keeps its id', () => {
    const first = run({ source: example('gke-shop-prod.json'), id: 'plan-42' });
    const dir = fileURLToPath(new URL('.', import.meta.url));
    const path = `${dir}/.tmp-plan.json`;
    writeFileSync(path, first.stdout);
    try {
      const again = run({ source: path, targetCloud: 'aws' });
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toEqual(JSON.parse(first.stdout));
    } finally {
      rmSync(path);
    }
  });

  it('needs a target cloud for a cluster file', () => {
    const err: string[] = [];
    const code = runPlan(
      { source: example('gke-shop-prod.json') },
      { stdout: () => {}, stderr: (t) => err.push(t), isTTY: false },
    );
    expect(code).toBe(1);
    expect(err.join('')).toMatch(/--target-cloud/);
  });

  it('fails with the file and field on stderr', () => {
    const r = run({ source: example('does-not-exist.json') });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/does-not-exist.json: cannot read: ENOENT/);
  });

  it('fails naming the location when the target location is wrong', () => {
    const r = run({ source: example('gke-shop-prod.json'), targetLocation: 'mars-1' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /gke-shop-prod.json: items\[0\]\.source\.location: "mars-1" is not a location offering EKS on aws/,
    );
  });
});

describe('dolly plan --check', () => {
  it('accepts a plan Dolly made and refuses a hand-edited unknown type with its path', () => {
    const first = run({ source: example('eks-payments-staging.json'), targetCloud: 'azure' });
    const path = `${fileURLToPath(new URL('.', import.meta.url))}/.tmp-check.json`;
    try {
      writeFileSync(path, first.stdout);
      const quiet = { stdout: () => {}, stderr: () => {}, isTTY: false };
      expect(runPlan({ source: path, check: true }, quiet)).toBe(0);
      // Re-planning a plan file defaults to its target cloud.
      const replanned: string[] = [];
      expect(runPlan({ source: path }, { ...quiet, stdout: (t) => replanned.push(t) })).toBe(0);
      expect(JSON.parse(replanned.join('')).items[0].target.cloud).toBe('azure');
      const edited = JSON.parse(first.stdout);
      edited.items[0].target.nodePools[1].machineType = 'Standard_Z99';
      writeFileSync(path, JSON.stringify(edited));
      const r = run({ source: path, check: true });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /items\[0\]\.target\.nodePools\[1\]\.machineType: unknown azure machine type "Standard_Z99"/,
      );
    } finally {
      rmSync(path, { force: true });
    }
  });
});

describe('examples', () => {
  const files = [
    'gke-shop-prod.json',
    'eks-payments-staging.json',
    'aks-analytics-prod.json',
    'cluster-cloner-export.json',
  ];
  const targets = ['aws', 'azure', 'gcp'] as const;
  it.each(files.flatMap((f) => targets.map((t) => [f, t] as const)))(
    '%s -> %s explains every change',
    (file, cloud) => {
      const r = run({ source: example(file), targetCloud: cloud });
      expect(r.code).toBe(0);
      for (const item of clonePlanSchema.parse(JSON.parse(r.stdout)).items)
        expect(unexplainedChanges(item)).toEqual([]);
    },
  );
});
