import { type Action, canGrantRole, defineAbilitiesFor, type Role, roles, type Subject } from '@dolly/authz';
import { type Permission, rolePlural } from '../../lib/abilities.ts';

export type { Permission };

const leastFirst = [...roles].reverse();

/**
 * Checks one ability of `role` and, when refused, says who may: "Viewers cannot manage cloud
 * accounts (admin or owner only)". Derived from the same CASL abilities the API enforces, so the
 * UI cannot drift from the server.
 */
export function permissionFor(role: Role, action: Action, subject: Subject, denied: string): Permission {
  if (defineAbilitiesFor(role).can(action, subject)) return { allowed: true };
  const holders = leastFirst.filter((r) => defineAbilitiesFor(r).can(action, subject)).reverse();
  const who = holders.length ? ` (${orList(holders)} only)` : '';
  return { allowed: false, reason: `${rolePlural[role]} cannot ${denied}${who}` };
}

function orList(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

/** "an admin", "a viewer": reasons are read as sentences. */
export function withArticle(word: string) {
  return `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`;
}

export interface SettingsPermissions {
  readAccounts: Permission;
  manageAccounts: Permission;
  readMembers: Permission;
  manageMembers: Permission;
  readPolicies: Permission;
  managePolicies: Permission;
  useTokens: Permission;
  /** admins and owners see and revoke every token of the tenant, others only their own */
  seeAllTokens: boolean;
  readAudit: Permission;
  manageWebhooks: Permission;
  manageSso: Permission;
}

export function settingsPermissions(role: Role): SettingsPermissions {
  return {
    readAccounts: permissionFor(role, 'read', 'CloudAccount', 'see cloud accounts'),
    manageAccounts: permissionFor(role, 'manage', 'CloudAccount', 'manage cloud accounts'),
    readMembers: permissionFor(role, 'read', 'Member', 'see members'),
    manageMembers: permissionFor(role, 'manage', 'Member', 'manage members'),
    readPolicies: permissionFor(role, 'read', 'ClonePolicy', 'see clone policies'),
    managePolicies: permissionFor(role, 'manage', 'ClonePolicy', 'manage clone policies'),
    // Every token route is guarded by `create ApiToken` (apps/api tokens/routes.ts).
    useTokens: permissionFor(role, 'create', 'ApiToken', 'create API tokens'),
    seeAllTokens: defineAbilitiesFor(role).can('manage', 'ApiToken'),
    readAudit: permissionFor(role, 'read', 'AuditLog', 'read the audit log'),
    manageWebhooks: permissionFor(role, 'manage', 'Webhook', 'manage webhooks'),
    manageSso: permissionFor(role, 'manage', 'SsoConfig', 'configure single sign-on'),
  };
}

/** Roles a member with `role` may hand out to members and tokens: their own and below. */
export function grantableRoles(role: Role): Role[] {
  return roles.filter((r) => canGrantRole(role, r).ok);
}
