import { describe, expect, it } from 'vitest';
import { defineAbilitiesFor } from './abilities.ts';
import { canGrantRole, effectiveRole, roleAtLeast, roles } from './roles.ts';

describe('role ordering', () => {
  it.each([
    ['owner', 'admin', true],
    ['admin', 'owner', false],
    ['operator', 'operator', true],
    ['developer', 'operator', false],
    ['viewer', 'developer', false],
  ] as const)('%s at least %s is %s', (a, b, expected) => {
    expect(roleAtLeast(a, b)).toBe(expected);
  });

  it('never lets anyone grant a role above their own', () => {
    for (const granter of roles) {
      for (const granted of roles) {
        const result = canGrantRole(granter, granted);
        expect(result.ok).toBe(roleAtLeast(granter, granted));
        if (!result.ok) expect(result.reason).toContain(granted);
      }
    }
  });

  it('bounds a token by the lower of its role and its creator role', () => {
    expect(effectiveRole('admin', 'developer')).toBe('developer');
    expect(effectiveRole('viewer', 'owner')).toBe('viewer');
  });
});

describe('abilities', () => {
  it('lets viewers read but not start runs', () => {
    const ability = defineAbilitiesFor('viewer');
    expect(ability.can('read', 'Cluster')).toBe(true);
    expect(ability.can('create', 'Run')).toBe(false);
    expect(ability.can('clone', 'Cluster')).toBe(false);
  });

  it('lets developers clone but not approve or manage accounts', () => {
    const ability = defineAbilitiesFor('developer');
    expect(ability.can('clone', 'Cluster')).toBe(true);
    expect(ability.can('approve', 'Run')).toBe(false);
    expect(ability.can('create', 'CloudAccount')).toBe(false);
  });

  it('lets operators approve, and only admins and owners read the audit log', () => {
    expect(defineAbilitiesFor('operator').can('approve', 'Run')).toBe(true);
    expect(defineAbilitiesFor('operator').can('read', 'AuditLog')).toBe(false);
    expect(defineAbilitiesFor('admin').can('read', 'AuditLog')).toBe(true);
    expect(defineAbilitiesFor('admin').can('delete', 'Tenant')).toBe(false);
    expect(defineAbilitiesFor('owner').can('delete', 'Tenant')).toBe(true);
  });
});
