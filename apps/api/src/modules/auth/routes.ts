import { hash, verify } from '@node-rs/argon2';
import { DollyError } from '@dolly/contracts';
import { parseEgressPolicy } from '@dolly/contracts/egress';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { problemResponses } from '../../lib/schemas.ts';
import { SESSION_COOKIE, requirePrincipal } from '../../plugins/auth.ts';
import { passwordSignInRefusedBy, ssoSignOutUrl } from '../sso/configs.ts';
import { openSession } from './session.ts';

const roleSchema = z.enum(['owner', 'admin', 'operator', 'developer', 'viewer']);
const sessionInfoSchema = z
  .object({
    user: z.object({ id: z.uuid(), email: z.string(), name: z.string() }),
    tenant: z.object({ id: z.uuid(), slug: z.string(), name: z.string() }),
    role: roleSchema,
    tenants: z.array(z.object({ id: z.uuid(), slug: z.string(), name: z.string(), role: roleSchema })),
    mustChangePassword: z.boolean().meta({
      description:
        'Signed in with a one-time password: every other call answers 403 password_change_required until POST /api/v1/auth/password',
    }),
    csrfToken: z.string().optional().meta({
      description: 'Send back as X-CSRF-Token on every mutating request made with the session cookie',
    }),
  })
  .meta({ id: 'SessionInfo' });

async function sessionInfo(deps: AppDeps, userId: string, tenantId: string, csrfToken?: string) {
  const user = await deps.db.user.findUniqueOrThrow({
    where: { id: userId },
    include: { memberships: { include: { tenant: true }, orderBy: { createdAt: 'asc' } } },
  });
  const current = user.memberships.find((m) => m.tenantId === tenantId);
  if (!current) throw new DollyError('not_found', 'No such tenant');
  return {
    user: { id: user.id, email: user.email, name: user.name },
    mustChangePassword: user.mustChangePassword,
    tenant: { id: current.tenant.id, slug: current.tenant.slug, name: current.tenant.name },
    role: current.role,
    tenants: user.memberships.map((m) => ({
      id: m.tenant.id,
      slug: m.tenant.slug,
      name: m.tenant.name,
      role: m.role,
    })),
    ...(csrfToken ? { csrfToken } : {}),
  };
}

// A constant hash to verify against when the user does not exist, so timing does not reveal accounts.
const DUMMY_HASH = await hash('dolly-timing-equaliser');

export function authRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const egress = parseEgressPolicy(deps.config.DOLLY_ENDPOINT_ALLOWLIST);
  r.post(
    '/api/v1/auth/login',
    {
      config: {
        auth: 'public',
        rateLimit: {
          max: deps.config.DOLLY_LOGIN_RATE_LIMIT,
          timeWindow: '1 minute',
          // After parsing, so the key really is per IP and email (onRequest has no body yet).
          hook: 'preHandler',
          keyGenerator: (request) =>
            `${request.ip}:${String((request.body as { email?: string } | undefined)?.email ?? '').toLowerCase()}`,
        },
      },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password; sets the session cookie',
        body: z.object({
          email: z.email().meta({ example: 'developer@demo.dolly' }),
          password: z.string().min(1),
          tenant: z
            .string()
            .optional()
            .meta({ description: 'Tenant slug to open; defaults to the first membership' }),
        }),
        response: { 200: sessionInfoSchema },
      },
    },
    async (request, reply) => {
      const { email, password, tenant } = request.body;
      const user = await deps.db.user.findUnique({
        where: { email: email.toLowerCase() },
        include: { memberships: { include: { tenant: true }, orderBy: { createdAt: 'asc' } } },
      });
      const ok = await verify(user?.passwordHash ?? DUMMY_HASH, password).catch(() => false);
      if (!user?.passwordHash || !ok) throw new DollyError('unauthenticated', 'Wrong email or password');
      const membership = tenant
        ? user.memberships.find((m) => m.tenant.slug === tenant)
        : user.memberships[0];
      if (!membership)
        throw new DollyError(
          'forbidden',
          tenant ? `You are not a member of tenant ${tenant}` : 'You are not a member of any tenant',
        );
      const sso = await deps.db.ssoConfig.findUnique({ where: { tenantId: membership.tenantId } });
      const ssoOnly = passwordSignInRefusedBy(deps.config, { slug: membership.tenant.slug, sso });
      if (ssoOnly)
        throw new DollyError(
          'sso_required',
          `Tenant ${membership.tenant.slug} signs in with ${ssoOnly} only: use "Sign in with ${ssoOnly}"`,
          [{ path: 'body.password', message: 'password sign-in is turned off for this tenant' }],
        );
      const { csrfToken } = await openSession(deps, reply, {
        userId: user.id,
        tenantId: membership.tenantId,
      });
      return sessionInfo(deps, user.id, membership.tenantId, csrfToken);
    },
  );

  r.get(
    '/api/v1/auth/me',
    {
      config: { auth: 'authenticated', beforePasswordChange: true },
      schema: {
        tags: ['auth'],
        summary: 'Who is signed in, in which tenant, with which role',
        response: { 200: sessionInfoSchema },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      return sessionInfo(deps, p.userId, p.tenantId, p.csrfToken);
    },
  );

  r.post(
    '/api/v1/auth/switch-tenant',
    {
      config: { auth: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: 'Switch the session to another tenant the user belongs to',
        body: z.object({ tenant: z.string().min(1) }),
        response: { 200: sessionInfoSchema },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      if (p.via !== 'session' || !p.sessionId)
        throw new DollyError('forbidden', 'API tokens belong to one tenant');
      const membership = await deps.db.membership.findFirst({
        where: { userId: p.userId, tenant: { slug: request.body.tenant } },
        include: { tenant: { include: { sso: true } } },
      });
      if (!membership) throw new DollyError('not_found', `No tenant ${request.body.tenant}`);
      const session = await deps.db.session.findUniqueOrThrow({ where: { id: p.sessionId } });
      // An identity provider vouches for its own tenant only; and a password session must not
      // walk into a tenant that turned passwords off.
      if (session.ssoTenantId && session.ssoTenantId !== membership.tenantId)
        throw new DollyError(
          'forbidden',
          'You signed in with single sign-on: sign in again to open another tenant',
          [
            {
              path: 'body.tenant',
              message: 'this session belongs to the tenant whose identity provider signed you in',
            },
          ],
        );
      const ssoOnly = passwordSignInRefusedBy(deps.config, membership.tenant);
      if (!session.ssoTenantId && ssoOnly)
        throw new DollyError('sso_required', `Tenant ${request.body.tenant} signs in with ${ssoOnly} only`, [
          { path: 'body.tenant', message: 'password sign-in is turned off for this tenant' },
        ]);
      await deps.db.session.update({ where: { id: p.sessionId }, data: { tenantId: membership.tenantId } });
      return sessionInfo(deps, p.userId, membership.tenantId, p.csrfToken);
    },
  );

  r.post(
    '/api/v1/auth/logout',
    {
      config: { auth: 'authenticated', beforePasswordChange: true },
      schema: {
        tags: ['auth'],
        summary: 'End the session',
        description:
          "A session single sign-on opened answers 200 with the identity provider's sign-out address, for the browser to open so the provider's session ends too.",
        response: {
          200: z.object({ endSessionUrl: z.string() }).meta({ id: 'LogoutResult' }),
          204: z.null(),
        },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const session = p.sessionId
        ? await deps.db.session.findUnique({ where: { id: p.sessionId }, select: { ssoTenantId: true } })
        : null;
      if (p.sessionId) await deps.db.session.deleteMany({ where: { id: p.sessionId } });
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      const endSessionUrl = await ssoSignOutUrl(deps, egress, session?.ssoTenantId ?? null);
      if (endSessionUrl) return reply.status(200).send({ endSessionUrl });
      return reply.status(204).send(null);
    },
  );

  r.post(
    '/api/v1/auth/password',
    {
      config: {
        auth: 'authenticated',
        beforePasswordChange: true,
        audit: 'user.password',
        rateLimit: {
          max: deps.config.DOLLY_LOGIN_RATE_LIMIT,
          timeWindow: '1 minute',
          keyGenerator: (request) => `password:${request.ip}`,
        },
      },
      schema: {
        tags: ['auth'],
        summary: 'Change your password (also how a one-time password is replaced)',
        description: 'Signs out every other session of the user; this one stays.',
        body: z.object({
          currentPassword: z.string().min(1),
          newPassword: z.string().min(12).max(200).meta({ description: 'At least 12 characters' }),
        }),
        response: { 204: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      if (p.via !== 'session' || !p.sessionId)
        throw new DollyError(
          'forbidden',
          'Passwords are changed by the person, signed in, not with an API token',
        );
      const { currentPassword, newPassword } = request.body;
      if (newPassword === currentPassword)
        throw new DollyError('validation_failed', 'Choose a password other than the current one', [
          { path: 'body.newPassword', message: 'must differ from the current password' },
        ]);
      const user = await deps.db.user.findUniqueOrThrow({ where: { id: p.userId } });
      const ok = user.passwordHash
        ? await verify(user.passwordHash, currentPassword).catch(() => false)
        : false;
      if (!ok)
        throw new DollyError('forbidden', 'The current password is wrong', [
          { path: 'body.currentPassword', message: 'wrong password' },
        ]);
      await deps.db.$transaction([
        deps.db.user.update({
          where: { id: user.id },
          data: { passwordHash: await hash(newPassword), mustChangePassword: false },
        }),
        deps.db.session.deleteMany({ where: { userId: user.id, id: { not: p.sessionId } } }),
      ]);
      return reply.status(204).send(null);
    },
  );
}
