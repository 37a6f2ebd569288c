import { type Role, roleAtLeast } from '@dolly/authz';

export interface GroupRole {
  group: string;
  role: Role;
}

/**
 * The role single sign-on gives a person: the highest role among the groups the identity
 * provider lists that the tenant mapped, else the tenant's default role, else none (refused).
 */
export function roleForGroups(
  groups: readonly string[],
  mapping: readonly GroupRole[],
  defaultRole: Role | null,
): Role | null {
  let best: Role | null = null;
  for (const m of mapping) {
    if (groups.includes(m.group) && (!best || roleAtLeast(m.role, best))) best = m.role;
  }
  return best ?? defaultRole;
}

/** Groups as providers send them: an array of strings, one string, or (Azure overage) absent. */
export function groupsFromClaims(claims: Record<string, unknown>, claim: string): string[] {
  const value = claims[claim];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  return [];
}
