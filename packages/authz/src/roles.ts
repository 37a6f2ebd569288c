/** Tenant roles, most powerful first. */
export const roles = ['owner', 'admin', 'operator', 'developer', 'viewer'] as const;
export type Role = (typeof roles)[number];

const rank: Record<Role, number> = { owner: 5, admin: 4, operator: 3, developer: 2, viewer: 1 };

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

/** True when `a` holds at least the privileges of `b`. */
export function roleAtLeast(a: Role, b: Role): boolean {
  return rank[a] >= rank[b];
}

/**
 * Privilege boundary: nobody grants (to a member or an API token) a role above their own.
 * Returns the reason when refused, so callers can show it.
 */
export function canGrantRole(granter: Role, granted: Role): { ok: true } | { ok: false; reason: string } {
  if (roleAtLeast(granter, granted)) return { ok: true };
  return { ok: false, reason: `A ${granter} cannot grant the ${granted} role (it is above their own)` };
}

/** The lower of two roles: an API token acts with min(its role, its creator's current role). */
export function effectiveRole(a: Role, b: Role): Role {
  return rank[a] <= rank[b] ? a : b;
}
