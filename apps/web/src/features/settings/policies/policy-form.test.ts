import { describe, expect, it } from 'vitest';
import {
  type ClonePolicy,
  describeMatcher,
  emptyPolicyForm,
  evaluateBody,
  policyBody,
  policyToForm,
} from './policy-form.ts';

const policy: ClonePolicy = {
  id: '00000000-0000-4000-8000-000000000001',
  name: 'prod to dev needs approval',
  effect: 'allow',
  roles: ['developer'],
  source: { env: ['prod'], clusterGlob: 'shop-*' },
  target: { env: ['dev', 'staging'] },
  requireApproval: true,
  priority: 10,
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
};

describe('policy form', () => {
  it('round-trips a policy through the form', () => {
    const result = policyBody(policyToForm(policy));
    expect(result).toEqual({
      ok: true,
      value: {
        name: policy.name,
        effect: 'allow',
        roles: ['developer'],
        source: { env: ['prod'], clusterGlob: 'shop-*' },
        target: { env: ['dev', 'staging'] },
        requireApproval: true,
        priority: 10,
      },
    });
  });

  it('drops approval from a deny rule', () => {
    const result = policyBody({ ...emptyPolicyForm, name: 'x', effect: 'deny', requireApproval: true });
    expect(result.ok && result.value.requireApproval).toBe(false);
  });

  it('names the fields it refuses', () => {
    expect(policyBody({ ...emptyPolicyForm, priority: '-1' })).toEqual({
      ok: false,
      errors: { name: 'Name is required', priority: 'A whole number from 0 to 10000; lower runs first' },
    });
  });

  it('describes matchers in words', () => {
    expect(describeMatcher(policy.source)).toBe('prod · cluster shop-*');
    expect(describeMatcher({ env: [] })).toBe('any environment');
  });
});

describe('evaluate request', () => {
  it('sends a missing environment as null and leaves out an empty namespace', () => {
    expect(
      evaluateBody(
        'clone',
        'developer',
        { env: 'prod', cluster: 'shop-prod', namespace: 'shop' },
        { env: '', cluster: 'shop-dev', namespace: '' },
      ),
    ).toEqual({
      ok: true,
      value: {
        action: 'clone',
        role: 'developer',
        source: { env: 'prod', cluster: 'shop-prod', namespace: 'shop' },
        target: { env: null, cluster: 'shop-dev' },
      },
    });
  });

  it('needs both clusters', () => {
    const empty = { env: '', cluster: ' ', namespace: '' };
    expect(evaluateBody('migrate', 'admin', empty, empty)).toEqual({
      ok: false,
      errors: {
        'source.cluster': 'Source cluster is required',
        'target.cluster': 'Target cluster is required',
      },
    });
  });
});
