import { describe, expect, it } from 'vitest';
import {
  isCloudManagedNodeLabel,
  isCloudManagedTaint,
  isLegalKubernetesLabel,
  labelKeyProblem,
  labelMapProblems,
  sanitiseLabelKey,
  sanitiseLabelValue,
} from './labels';

describe('label keys per cloud', () => {
  it.each([
    ['gcp', 'Team', 'team'],
    ['gcp', 'cost.center', 'cost_center'],
    ['gcp', '2fa', 'k-2fa'],
    ['gcp', 'team', 'team'],
    ['aws', 'aws:cloudformation:stack-name', undefined],
    ['aws', 'Team', 'Team'],
    ['aws', 'cost#center', 'cost_center'],
    ['azure', 'a/b?c', 'a_b_c'],
    ['azure', 'Team', 'Team'],
  ] as const)('%s: %s -> %s', (cloud, key, expected) => {
    const out = sanitiseLabelKey(cloud, key);
    expect(out).toBe(expected);
    if (out !== undefined) expect(labelKeyProblem(cloud, out)).toBeUndefined();
  });
});

describe('label values per cloud', () => {
  it.each([
    ['gcp', 'Payments', 'payments'],
    ['gcp', 'CC 2001', 'cc_2001'],
    ['gcp', 'x'.repeat(70), 'x'.repeat(63)],
    ['aws', 'CC 2001', 'CC 2001'],
    ['aws', 'a#b', 'a_b'],
    ['azure', 'anything <goes>', 'anything <goes>'],
  ] as const)('%s: %s -> %s', (cloud, value, expected) => {
    expect(sanitiseLabelValue(cloud, value)).toBe(expected);
  });
});

describe('label maps', () => {
  it('refuses more labels than the cloud allows', () => {
    const labels = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    expect(labelMapProblems('aws', labels)[0]?.message).toMatch(/at most 50/);
    expect(labelMapProblems('gcp', labels)).toEqual([]);
  });
});

describe('cloud-managed node labels and taints', () => {
  it.each([
    ['cloud.google.com/gke-nodepool', true],
    ['eks.amazonaws.com/capacityType', true],
    ['kubernetes.azure.com/scalesetpriority', true],
    ['agentpool', true],
    ['topology.kubernetes.io/zone', true],
    ['node-role.kubernetes.io/worker', true],
    ['workload', false],
    ['example.com/team', false],
  ])('label %s cloud-managed=%s', (key, expected) => {
    expect(isCloudManagedNodeLabel(key)).toBe(expected);
  });

  it.each([
    ['kubernetes.azure.com/scalesetpriority', true],
    ['nvidia.com/gpu', false],
    ['cloud.google.com/gke-spot', true],
    ['dedicated', false],
    ['CriticalAddonsOnly', false],
  ])('taint %s cloud-managed=%s', (key, expected) => {
    expect(isCloudManagedTaint(key)).toBe(expected);
  });

  it.each([
    ['workload', 'web', true],
    ['example.com/team', '', true],
    ['bad key', 'x', false],
    ['team', 'has space', false],
  ])('Kubernetes label %s=%s legal=%s', (k, v, expected) => {
    expect(isLegalKubernetesLabel(k, v)).toBe(expected);
  });
});
