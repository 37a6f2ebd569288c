import { type Role, effectiveRole } from '@dolly/authz';
import type { Database } from '@dolly/db';

/**
 * The role a run acts with now, not when it was requested: a demoted member or a revoked token
 * loses the power to finish what it started. Null when nobody may act for it any more.
 */
export async function currentRole(
  db: Database,
  run: { tenantId: string; requestedById: string | null; tokenId: string | null },
): Promise<Role | null> {
  if (!run.requestedById) return null;
  const membership = await db.membership.findUnique({
    where: { tenantId_userId: { tenantId: run.tenantId, userId: run.requestedById } },
  });
  if (!membership) return null;
  if (!run.tokenId) return membership.role;
  const token = await db.apiToken.findUnique({ where: { id: run.tokenId } });
  if (!token || token.revokedAt || (token.expiresAt && token.expiresAt < new Date())) return null;
  return effectiveRole(membership.role, token.role);
}
