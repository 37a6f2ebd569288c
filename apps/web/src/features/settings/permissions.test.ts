import { describe, expect, it } from 'vitest';
import { settingsPermissions } from './permissions.ts';

describe('settings permissions', () => {
  it('let admins and owners manage the tenant settings', () => {
    for (const role of ['owner', 'admin'] as const) {
      const p = settingsPermissions(role);
      expect([p.manageAccounts, p.manageMembers, p.managePolicies, p.readAudit, p.useTokens]).toEqual(
        Array(5).fill({ allowed: true }),
      );
      expect(p.seeAllTokens).toBe(true);
    }
  });

  it('let operators read members but manage nothing', () => {
    const p = settingsPermissions('operator');
    expect(p.readMembers.allowed).toBe(true);
    expect(p.manageMembers).toEqual({
      allowed: false,
      reason: 'Operators cannot manage members (owner or admin only)',
    });
    expect(p.readAudit.allowed).toBe(false);
    expect(p.seeAllTokens).toBe(false);
  });

  it('let developers use their own tokens only', () => {
    const p = settingsPermissions('developer');
    expect(p.useTokens.allowed).toBe(true);
    expect(p.seeAllTokens).toBe(false);
    expect(p.readMembers.allowed).toBe(false);
  });

  it('show viewers accounts and policies, with the reason they cannot change them', () => {
    const p = settingsPermissions('viewer');
    expect(p.readAccounts.allowed).toBe(true);
    expect(p.readPolicies.allowed).toBe(true);
    expect(p.manageAccounts).toEqual({
      allowed: false,
      reason: 'Viewers cannot manage cloud accounts (owner or admin only)',
    });
    expect(p.useTokens).toEqual({
      allowed: false,
      reason: 'Viewers cannot create API tokens (owner, admin, operator or developer only)',
    });
  });
});
