import { type Action, type Role, type Subject, defineAbilitiesFor, effectiveRole } from '@dolly/authz';
import { DollyError } from '@dolly/contracts';
import type { Database } from '@dolly/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hashSecret } from '../lib/tokens.ts';

export const SESSION_COOKIE = 'dolly_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface Principal {
  userId: string;
  tenantId: string;
  role: Role;
  via: 'session' | 'token';
  sessionId?: string;
  tokenId?: string;
  csrfToken?: string;
  /** Signed in with a one-time password: nothing but choosing a new one until then. */
  mustChangePassword?: boolean;
}

/** How a route is guarded; declared next to its schema, enforced here, listed for the authz matrix test. */
export type RouteAuth = 'public' | 'authenticated' | { can: Action; on: Subject };

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    auth?: RouteAuth;
    /** Answered while the user still has to replace a one-time password (who am I, sign out, change it). */
    beforePasswordChange?: boolean;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

async function resolvePrincipal(db: Database, request: FastifyRequest): Promise<Principal | null> {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) {
    const token = await db.apiToken.findUnique({ where: { tokenHash: hashSecret(header.slice(7).trim()) } });
    if (!token || token.revokedAt || (token.expiresAt && token.expiresAt < new Date())) {
      throw new DollyError('unauthenticated', 'The API token is unknown, revoked or expired');
    }
    const membership = await db.membership.findUnique({
      where: { tenantId_userId: { tenantId: token.tenantId, userId: token.createdById } },
    });
    // A token never outlives or outranks its creator's membership.
    if (!membership) throw new DollyError('unauthenticated', 'The API token belongs to a former member');
    await db.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: new Date() } });
    return {
      userId: token.createdById,
      tenantId: token.tenantId,
      role: effectiveRole(token.role, membership.role),
      via: 'token',
      tokenId: token.id,
    };
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (!cookie) return null;
  const session = await sessionWithMembership(db, hashSecret(cookie));
  if (!session || session.expiresAt < new Date() || !session.tenantId || !session.role) return null;
  return {
    userId: session.userId,
    tenantId: session.tenantId,
    role: session.role,
    via: 'session',
    sessionId: session.id,
    csrfToken: session.csrfToken,
    mustChangePassword: session.mustChangePassword,
  };
}

/**
 * The session, its user's flag and the membership in its tenant, in one statement: every signed-in
 * request asks this, and as ORM calls it was two round trips, each compiled again (the inventory
 * benchmark, apps/api/bench/clusters.bench.ts, spent a third of a request there).
 */
async function sessionWithMembership(db: Database, tokenHash: string) {
  const rows = await db.$queryRaw<
    {
      id: string;
      userId: string;
      tenantId: string | null;
      csrfToken: string;
      expiresAt: Date;
      mustChangePassword: boolean;
      role: Role | null;
    }[]
  >`
    SELECT s.id, s."userId", s."tenantId", s."csrfToken", s."expiresAt", u."mustChangePassword",
           m.role::text AS role
      FROM "Session" s
      JOIN "User" u ON u.id = s."userId"
      LEFT JOIN "Membership" m ON m."tenantId" = s."tenantId" AND m."userId" = s."userId"
     WHERE s."tokenHash" = ${tokenHash}`;
  return rows[0] ?? null;
}

export function registerAuth(app: FastifyInstance, db: Database) {
  app.decorateRequest('principal', null);
  // preValidation: who you are is settled before what you sent is judged (401/403 before 400).
  app.addHook('preValidation', async (request) => {
    // Unknown routes fall through to the 404 problem; only the versioned API is private by default.
    const url = request.routeOptions.url ?? '';
    const auth =
      request.routeOptions.config.auth ?? (url.startsWith('/api/v1/') ? 'authenticated' : 'public');
    if (request.is404) return;
    if (auth === 'public') {
      request.principal = await resolvePrincipal(db, request).catch(() => null);
      return;
    }
    const principal = await resolvePrincipal(db, request);
    if (!principal)
      throw new DollyError('unauthenticated', 'Sign in, or send an API token as Authorization: Bearer');
    // Cookies ride along on cross-site requests; a header an attacker's page cannot read or set proves intent.
    if (principal.via === 'session' && !SAFE_METHODS.has(request.method)) {
      if (request.headers[CSRF_HEADER] !== principal.csrfToken) throw new DollyError('csrf_failed');
    }
    request.principal = principal;
    if (principal.mustChangePassword && !request.routeOptions.config.beforePasswordChange)
      throw new DollyError(
        'password_change_required',
        'You signed in with a one-time password: choose your own with POST /api/v1/auth/password',
      );
    if (auth !== 'authenticated' && !defineAbilitiesFor(principal.role).can(auth.can, auth.on)) {
      throw new DollyError('forbidden', `The ${principal.role} role cannot ${auth.can} ${auth.on}`);
    }
  });
}

export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw new DollyError('unauthenticated');
  return request.principal;
}
