import type { FastifyReply } from 'fastify';
import type { AppDeps } from '../../deps.ts';
import { hashSecret, newSecret } from '../../lib/tokens.ts';
import { SESSION_COOKIE } from '../../plugins/auth.ts';

/**
 * Opens a browser session (password or single sign-on alike): the row, the cookie, and the CSRF
 * token the caller hands back. `ssoTenantId` pins an SSO session to the tenant whose identity
 * provider vouched for the person.
 */
export async function openSession(
  deps: AppDeps,
  reply: FastifyReply,
  opts: { userId: string; tenantId: string; ssoTenantId?: string },
): Promise<{ csrfToken: string }> {
  const secret = newSecret('ds_');
  const csrfToken = newSecret('');
  await deps.db.session.create({
    data: {
      userId: opts.userId,
      tenantId: opts.tenantId,
      tokenHash: hashSecret(secret),
      csrfToken,
      expiresAt: new Date(Date.now() + deps.config.DOLLY_SESSION_TTL_HOURS * 3600_000),
      ssoTenantId: opts.ssoTenantId ?? null,
    },
  });
  reply.setCookie(SESSION_COOKIE, secret, {
    httpOnly: true,
    sameSite: 'lax',
    secure: deps.config.DOLLY_COOKIE_SECURE,
    path: '/',
    maxAge: deps.config.DOLLY_SESSION_TTL_HOURS * 3600,
  });
  return { csrfToken };
}
