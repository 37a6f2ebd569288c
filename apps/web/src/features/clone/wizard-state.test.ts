import type { ClonePolicyRule } from '@dolly/authz';
import { describe, expect, it } from 'vitest';
import type { ClusterSummary } from '../../lib/clusters.ts';
import { decideClone } from '../../lib/policies.ts';
import {
  initialWizardState,
  selectedSources,
  sourceBody,
  stepBlocker,
  workloadsBody,
} from './wizard-state.ts';

const cluster = (id: string, over: Partial<ClusterSummary> = {}): ClusterSummary => ({
  id,
  cloud: 'gcp',
  accountId: 'gcp-account',
  accountName: 'Sandbox Google Cloud',
  scope: 'dolly-demo-prod',
  location: 'us-central1',
  name: id,
  kubernetesVersion: '1.33',
  status: 'RUNNING',
  environment: 'prod',
  environmentSource: 'label',
  labels: { env: 'prod' },
  pools: 2,
  nodes: 6,
  lastSeenAt: '2026-01-01T00:00:00Z',
  vanishedAt: null,
  drifted: null,
  ...over,
});
const inventory = [
  cluster('shop-prod'),
  cluster('shop-dev', { location: 'us-central1-a', labels: { env: 'dev' }, environment: 'dev' }),
  cluster('gone', { vanishedAt: '2026-01-01T00:00:00Z' }),
  cluster('eks', { accountId: 'aws-account', cloud: 'aws' }),
];

describe('source selection', () => {
  it('starts from the clusters the wizard was opened with', () => {
    const state = initialWizardState(['shop-prod']);
    expect(selectedSources(inventory, state.source).map((c) => c.name)).toEqual(['shop-prod']);
    expect(sourceBody(state.source)).toEqual({ clusterIds: ['shop-prod'] });
  });

  it('selects by account, location and labels like the API, never vanished clusters', () => {
    const source = {
      mode: 'filter' as const,
      clusterIds: [],
      accountId: 'gcp-account',
      labels: [] as [string, string][],
    };
    expect(selectedSources(inventory, source).map((c) => c.name)).toEqual(['shop-prod', 'shop-dev']);
    const narrowed = { ...source, location: 'us-central1', labels: [['env', 'prod']] as [string, string][] };
    expect(selectedSources(inventory, narrowed).map((c) => c.name)).toEqual(['shop-prod']);
    expect(sourceBody(narrowed)).toEqual({
      accountId: 'gcp-account',
      location: 'us-central1',
      labelFilter: { env: 'prod' },
    });
  });

  it('says what is missing before the next step', () => {
    const state = initialWizardState([]);
    expect(stepBlocker('source', state, [])).toBe('Choose at least one source cluster');
    expect(stepBlocker('target', state, inventory)).toBe('Choose the target account');
    expect(stepBlocker('target', { ...state, target: { accountId: 'a' } }, inventory)).toBe(
      'Choose the target environment',
    );
    expect(
      stepBlocker('target', { ...state, target: { accountId: 'a', environment: 'dev' } }, inventory),
    ).toBeUndefined();
  });
});

describe('decideClone (the policy check the wizard shows before asking the API)', () => {
  const pair = (targetEnv: string, cluster = 'shop-prod-copy') => ({
    source: { env: 'prod', cluster: 'shop-prod' },
    target: { env: targetEnv, cluster },
  });
  const approval: ClonePolicyRule = {
    name: 'prod data needs approval',
    effect: 'allow',
    roles: ['developer'],
    source: { env: ['prod'] },
    target: { env: ['staging'] },
    requireApproval: true,
    priority: 10,
  };

  it('refuses prod targets to developers with the guard reason', () => {
    expect(decideClone('developer', [], [pair('prod')])).toMatchObject({
      allowed: false,
      reason: 'Developers cannot clone into prod',
    });
    expect(decideClone('operator', [], [pair('prod')]).allowed).toBe(true);
  });

  it('needs approval when any pair needs it, and the first refusal wins', () => {
    expect(decideClone('developer', [approval], [pair('dev'), pair('staging')])).toMatchObject({
      allowed: true,
      requireApproval: true,
      rule: 'prod data needs approval',
    });
    expect(decideClone('developer', [approval], [pair('staging'), pair('prod')]).allowed).toBe(false);
  });
  it('asks one source cluster and a namespace of a clone with workloads, and none of a plain clone', () => {
    const state = initialWizardState(['a']);
    const one = [cluster('a')];
    expect(stepBlocker('workloads', state, one)).toBeUndefined();
    const on = {
      ...state,
      workloads: { enabled: true, namespacesText: ' ', includeSecrets: false, copyVolumes: false },
    };
    expect(stepBlocker('workloads', on, one)).toBe('Enter at least one namespace');
    expect(stepBlocker('workloads', on, [...one, cluster('b')])).toMatch(/exactly one/);
    const named = {
      ...on.workloads,
      namespacesText: 'shop, team-*, shop',
      includeSecrets: true,
      copyVolumes: true,
    };
    expect(workloadsBody(named)).toEqual({
      namespaces: ['shop', 'team-*'],
      includeSecrets: true,
      copyVolumes: true,
    });
    expect(workloadsBody({ ...named, enabled: false })).toBeUndefined();
  });
});
