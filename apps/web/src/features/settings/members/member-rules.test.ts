import { describe, expect, it } from 'vitest';
import { grantableRoles, settingsPermissions } from '../permissions.ts';
import { memberActions, roleOptionRefusal } from './member-rules.ts';

const owner = { id: 'm1', userId: 'u1', role: 'owner' as const };
const admin = { id: 'm2', userId: 'u2', role: 'admin' as const };
const dev = { id: 'm3', userId: 'u3', role: 'developer' as const };
const team = [owner, admin, dev];

describe('grantable roles', () => {
  it('are the granter role and everything below it', () => {
    expect(grantableRoles('owner')).toEqual(['owner', 'admin', 'operator', 'developer', 'viewer']);
    expect(grantableRoles('admin')).toEqual(['admin', 'operator', 'developer', 'viewer']);
    expect(grantableRoles('developer')).toEqual(['developer', 'viewer']);
    expect(grantableRoles('viewer')).toEqual(['viewer']);
  });

  it('explain why a higher role is not offered', () => {
    expect(roleOptionRefusal('admin', 'owner')).toBe('Above your own role (admin): you cannot grant it');
    expect(roleOptionRefusal('admin', 'viewer')).toBeUndefined();
  });
});

describe('member actions', () => {
  const asAdmin = { role: 'admin' as const, manage: settingsPermissions('admin').manageMembers };

  it('let an admin change and remove members at or below admin', () => {
    expect(memberActions(asAdmin, dev, team)).toEqual({
      changeRole: { allowed: true },
      remove: { allowed: true },
    });
    expect(memberActions(asAdmin, admin, team).remove.allowed).toBe(true);
  });

  it('refuse an admin acting on an owner, with the reason', () => {
    const actions = memberActions(asAdmin, owner, team);
    expect(actions.changeRole).toEqual({
      allowed: false,
      reason: 'An admin cannot change or remove an owner.',
    });
  });

  it('keep the last owner', () => {
    const asOwner = { role: 'owner' as const, manage: settingsPermissions('owner').manageMembers };
    expect(memberActions(asOwner, owner, team).remove).toEqual({
      allowed: false,
      reason: 'A tenant keeps at least one owner.',
    });
    const twoOwners = [...team, { id: 'm4', userId: 'u4', role: 'owner' as const }];
    expect(memberActions(asOwner, owner, twoOwners).remove.allowed).toBe(true);
  });

  it('refuse an operator, who may only read members', () => {
    const asOperator = { role: 'operator' as const, manage: settingsPermissions('operator').manageMembers };
    const actions = memberActions(asOperator, dev, team);
    expect(actions.changeRole.allowed).toBe(false);
    if (!actions.changeRole.allowed)
      expect(actions.changeRole.reason).toBe('Operators cannot manage members (owner or admin only)');
  });
});
