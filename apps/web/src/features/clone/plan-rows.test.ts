import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundledCatalog, type ClusterSpecInput, planClone, validatePlan } from '@dolly/model';
import { describe, expect, it } from 'vitest';
import { applyWizardOptions } from './plan-options.ts';
import { formatValue, planRowGroups } from './plan-rows.ts';
import { initialWizardState } from './wizard-state.ts';

const examples = join(import.meta.dirname, '../../../../../examples');
const gkeShop = JSON.parse(readFileSync(join(examples, 'gke-shop-prod.json'), 'utf8')) as ClusterSpecInput;
const planTo = (cloud: 'aws' | 'azure' | 'gcp') =>
  planClone([gkeShop], { cloud, scope: 'target-scope' }, bundledCatalog, { id: 'plan-test' });

describe('planRowGroups', () => {
  const [item] = planTo('aws').items;
  if (!item) throw new Error('no plan item');
  const groups = planRowGroups(item);
  const cluster = groups[0];
  const row = (groupKey: string, path: string) =>
    groups.find((g) => g.key === groupKey)?.rows.find((r) => r.path === path);

  it('shows source beside target with the reason of the decision', () => {
    const location = row('cluster', 'location');
    expect(location).toMatchObject({
      field: 'Location',
      source: 'europe-west3',
      target: 'eu-central-1',
      changed: true,
    });
    expect(location?.decisions[0]?.reason).toMatch(/nearest EKS region/);
    const machine = row('nodePools[0]', 'nodePools[0].machineType');
    expect(machine).toMatchObject({ field: 'Machine type', source: 'n2-standard-4', target: 'm6a.xlarge' });
    expect(machine?.decisions[0]?.rule).toBe('machine-type.least-upper-bound');
  });

  it('lists the cluster fields first in a readable order, then one group per pool', () => {
    expect(cluster?.rows.slice(0, 4).map((r) => r.field)).toEqual(['Cloud', 'Scope', 'Location', 'Name']);
    expect(groups.map((g) => g.title)).toEqual([
      'Cluster',
      'Node pool default-pool',
      'Node pool batch-spot',
      'Node pool arm-api',
      'Node pool gpu-inference',
    ]);
  });

  it('attaches warnings and dropped items to their fields, an object drop to its first field', () => {
    expect(row('nodePools[0]', 'nodePools[0].maxPods')?.dropped[0]?.code).toBe(
      'max-pods.needs-launch-template',
    );
    expect(row('cluster', 'network.podCidr')?.dropped[0]?.code).toBe('network.pod-cidr-unsupported');
    expect(row('cluster', 'secretsEncryption.keyRef')?.dropped[0]?.code).toBe(
      'secrets-encryption.key-not-portable',
    );
  });

  it('places every decision, warning and drop somewhere', () => {
    const placed = groups.flatMap((g) => [
      ...g.notes.decisions,
      ...g.notes.warnings,
      ...g.notes.dropped,
      ...g.rows.flatMap((r) => [...r.decisions, ...r.warnings, ...r.dropped]),
    ]);
    expect(placed).toHaveLength(item.decisions.length + item.warnings.length + item.dropped.length);
  });

  it('shows labels one by one, including those the plan removed', () => {
    const provenance = row('cluster', 'labels["dolly-source-cloud"]');
    expect(provenance).toMatchObject({
      field: 'Label dolly-source-cloud',
      source: '—',
      target: 'gcp',
      changed: true,
    });
    const cloudLabel = row('nodePools[0]', 'nodePools[0].labels["cloud.google.com/gke-nodepool"]');
    expect(cloudLabel).toMatchObject({ source: 'default-pool', target: '—' });
    expect(cloudLabel?.decisions[0]?.rule).toBe('node-labels.cloud-managed');
  });

  it('marks a pool the plan added (AKS system pool) as having no source', () => {
    const [aks] = planTo('azure').items;
    if (!aks) throw new Error('no plan item');
    const added = planRowGroups(aks).find((g) => g.kind === 'added');
    expect(added?.title).toMatch(/added by the plan/);
    expect(added?.notes.decisions[0]?.rule).toBe('aks.system-pool-created');
    expect(added?.rows.find((r) => r.field === 'Mode')).toMatchObject({ source: '—', target: 'system' });
  });
});

describe('applyWizardOptions', () => {
  const plan = planTo('aws');
  const options = initialWizardState([]).options;

  it('returns the same plan when nothing changes', () => {
    const { carry, ...rest } = options;
    const unchanged = { ...rest, carry, nameSuffix: '' };
    expect(applyWizardOptions(plan, unchanged, null)).toBe(plan);
  });

  it('sets the environment and rewrites env labels, recording why', () => {
    const next = applyWizardOptions(plan, options, 'dev');
    const target = next.items[0]?.target;
    expect(target?.environment).toBe('dev');
    expect(target?.labels.env).toBe('dev');
    expect(next.items[0]?.decisions.find((d) => d.path === 'labels["env"]')).toMatchObject({
      from: 'prod',
      to: 'dev',
      rule: 'wizard.override',
    });
    expect(plan.items[0]?.target.labels.env).toBe('prod');
  });

  it('overrides a pool, leaves one out and re-indexes the notes of the pools after it', () => {
    const next = applyWizardOptions(
      plan,
      {
        ...options,
        pools: {
          'batch-spot': { include: false },
          'arm-api': { include: true, nodeCount: 4, machineType: 'm6g.2xlarge' },
        },
      },
      null,
    );
    const item = next.items[0];
    if (!item) throw new Error('no plan item');
    expect(item.target.nodePools.map((p) => p.name)).toEqual(['default-pool', 'arm-api', 'gpu-inference']);
    expect(item.target.nodePools[1]).toMatchObject({ nodeCount: 4, machineType: 'm6g.2xlarge' });
    const machine = item.decisions.find((d) => d.path === 'nodePools[1].machineType');
    expect(machine).toMatchObject({ from: 't2a-standard-4', to: 'm6g.2xlarge', rule: 'wizard.override' });
    expect(machine?.reason).toMatch(/Dolly proposed "m6g.xlarge"/);
    // gpu-inference was nodePools[3]; its zone decision moved with it.
    expect(item.decisions.find((d) => d.path === 'nodePools[2].zones')?.from).toEqual(['europe-west3-b']);
    expect(item.dropped.at(-1)).toMatchObject({
      path: 'nodePools["batch-spot"]',
      code: 'wizard.pool-left-out',
    });
    const groups = planRowGroups(item);
    expect(groups.find((g) => g.kind === 'left-out')?.title).toBe('Node pool batch-spot (not carried)');
    expect(groups.find((g) => g.key === 'nodePools[2]')?.title).toBe('Node pool gpu-inference');
    expect(validatePlan(next, bundledCatalog).ok).toBe(true);
  });

  it('drops what the user chose not to carry, keeping provenance labels', () => {
    const next = applyWizardOptions(
      plan,
      {
        ...options,
        carry: { labels: false, nodeLabels: false, taints: false, autoscaling: false, spot: false },
      },
      null,
    );
    const target = next.items[0]?.target;
    expect(Object.keys(target?.labels ?? {}).sort()).toEqual([
      'dolly-plan',
      'dolly-source-cloud',
      'dolly-source-cluster',
    ]);
    expect(target?.nodePools.every((p) => !p.spot && !p.autoscaling && p.taints.length === 0)).toBe(true);
    expect(target?.nodePools.every((p) => Object.keys(p.labels).length === 0)).toBe(true);
  });
});

describe('formatValue', () => {
  it('reads taints, autoscaling, lists and empty values', () => {
    expect(formatValue([{ key: 'workload', value: 'batch', effect: 'NoSchedule' }])).toBe(
      'workload=batch:NoSchedule',
    );
    expect(formatValue({ minNodes: 0, maxNodes: 4 })).toBe('0–4');
    expect(formatValue(['a', 'b'])).toBe('a, b');
    expect(formatValue([])).toBe('none');
    expect(formatValue(undefined)).toBe('—');
  });
});
