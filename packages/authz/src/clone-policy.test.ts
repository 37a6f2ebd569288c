import { describe, expect, it } from 'vitest';
import { type ClonePolicyRule, DEFAULT_ALLOW, PROD_GUARD, evaluateClonePolicy } from './clone-policy.ts';
import type { Role } from './roles.ts';

const prod = { env: 'prod', cluster: 'shop-prod', namespace: 'shop' };
const dev = { env: 'dev', cluster: 'shop-dev', namespace: 'shop-copy' };
const staging = { env: 'staging', cluster: 'shop-staging' };

const rule = (r: Partial<ClonePolicyRule> & Pick<ClonePolicyRule, 'name' | 'effect'>): ClonePolicyRule => ({
  roles: [],
  source: {},
  target: {},
  requireApproval: false,
  priority: 100,
  ...r,
});

describe('the fixed prod guard', () => {
  it.each([
    ['developer', false],
    ['viewer', false],
    ['operator', true],
    ['admin', true],
    ['owner', true],
  ] as [Role, boolean][])('a %s writing into prod is allowed=%s', (role, allowed) => {
    const d = evaluateClonePolicy({ role, action: 'clone', source: dev, target: prod }, []);
    expect(d.allowed).toBe(allowed);
    if (!d.allowed) {
      expect(d.rule).toBe(PROD_GUARD);
      expect(d.reason).toMatch(/cannot clone into prod/);
    }
  });

  it('cannot be lifted by a tenant allow rule', () => {
    const d = evaluateClonePolicy({ role: 'developer', action: 'migrate', source: dev, target: prod }, [
      rule({ name: 'let devs do anything', effect: 'allow', priority: 0 }),
    ]);
    expect(d).toMatchObject({ allowed: false, rule: PROD_GUARD });
  });
});

describe('tenant rules', () => {
  const rules = [
    rule({
      name: 'prod to dev needs approval for developers',
      effect: 'allow',
      roles: ['developer'],
      source: { env: ['prod'] },
      target: { env: ['dev'] },
      requireApproval: true,
      priority: 10,
    }),
    rule({
      name: 'no staging copies of payments',
      effect: 'deny',
      source: { clusterGlob: 'payments-*' },
      target: { env: ['staging'] },
      priority: 5,
    }),
    rule({
      name: 'shop namespaces only',
      effect: 'deny',
      source: { namespaceGlob: '!(shop*)' },
      priority: 20,
    }),
  ];

  it('lets a developer clone prod into dev with approval, naming the rule', () => {
    const d = evaluateClonePolicy({ role: 'developer', action: 'clone', source: prod, target: dev }, rules);
    expect(d).toEqual({
      allowed: true,
      requireApproval: true,
      rule: 'prod to dev needs approval for developers',
      reason: expect.stringContaining('after an operator approves'),
    });
  });

  it('applies a rule only to its roles', () => {
    const d = evaluateClonePolicy({ role: 'operator', action: 'clone', source: prod, target: dev }, rules);
    expect(d).toMatchObject({ allowed: true, requireApproval: false, rule: DEFAULT_ALLOW });
  });

  it('matches cluster globs and lets the lowest priority win', () => {
    const d = evaluateClonePolicy(
      { role: 'owner', action: 'clone', source: { env: 'prod', cluster: 'payments-eu' }, target: staging },
      rules,
    );
    expect(d).toMatchObject({ allowed: false, rule: 'no staging copies of payments' });
    if (!d.allowed) expect(d.reason).toContain('payments-eu (prod)');
  });

  it('matches namespace globs for migrations', () => {
    const denied = evaluateClonePolicy(
      {
        role: 'admin',
        action: 'migrate',
        source: { env: 'dev', cluster: 'a', namespace: 'billing' },
        target: staging,
      },
      rules,
    );
    expect(denied).toMatchObject({ allowed: false, rule: 'shop namespaces only' });
    const allowed = evaluateClonePolicy(
      {
        role: 'admin',
        action: 'migrate',
        source: { env: 'dev', cluster: 'a', namespace: 'shop' },
        target: staging,
      },
      rules,
    );
    expect(allowed.allowed).toBe(true);
  });
});
