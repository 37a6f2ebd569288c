import { canGrantRole, type Role, roleAtLeast } from '@dolly/authz';
import { type Permission, withArticle } from '../permissions.ts';

export interface MemberLike {
  id: string;
  userId: string;
  role: Role;
}

/**
 * What the signed-in member may do to another member, mirroring the checks of
 * apps/api members/routes.ts so a refused action is disabled with the server's reason up front.
 */
export function memberActions(
  me: { role: Role; manage: Permission },
  member: MemberLike,
  members: readonly MemberLike[],
): { changeRole: Permission; remove: Permission } {
  if (!me.manage.allowed) return { changeRole: me.manage, remove: me.manage };
  if (!roleAtLeast(me.role, member.role)) {
    const who = withArticle(me.role);
    const reason = `${who.charAt(0).toUpperCase()}${who.slice(1)} cannot change or remove ${withArticle(member.role)}.`;
    return { changeRole: { allowed: false, reason }, remove: { allowed: false, reason } };
  }
  const lastOwner = member.role === 'owner' && members.filter((m) => m.role === 'owner').length === 1;
  if (lastOwner) {
    const reason = 'A tenant keeps at least one owner.';
    return { changeRole: { allowed: false, reason }, remove: { allowed: false, reason } };
  }
  return { changeRole: { allowed: true }, remove: { allowed: true } };
}

/** Why a role option is not offered to this granter, or undefined when it is. */
export function roleOptionRefusal(granter: Role, role: Role): string | undefined {
  // The decision is the shared privilege boundary; only the sentence is phrased for this dialog.
  return canGrantRole(granter, role).ok ? undefined : `Above your own role (${granter}): you cannot grant it`;
}
