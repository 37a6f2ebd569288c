import { canGrantRole, type Role } from '@dolly/authz';
import { DollyError } from '@dolly/contracts';
import { parseEgressPolicy } from '@dolly/contracts/egress';
import type { SsoConfig } from '@dolly/db';
import { checkTenantEndpoint } from '@dolly/providers';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { problemResponses, roleSchema } from '../../lib/schemas.ts';
import { requirePrincipal } from '../../plugins/auth.ts';
import { type AuditFacts, recordAudit } from '../audit/recorder.ts';
import { openSession } from '../auth/session.ts';
import {
  authorizationUrl,
  completeSignIn,
  describeOidcFailure,
  discoverIssuer,
  type SignInChecks,
} from './oidc.ts';
import {
  groupRoleSchema,
  postLogoutRedirectUri,
  type SignInConfig,
  signInConfigs,
  storedGroupRoles,
} from './configs.ts';
import { installationSsoFrom } from './installation.ts';
import { groupsFromClaims, roleForGroups } from './role-mapping.ts';

/** Binds the sign-in to the browser that started it: a callback without it is someone else's. */
const STATE_COOKIE = 'dolly_sso_state';
const STATE_COOKIE_PATH = '/api/v1/auth/sso';
const SIGN_IN_TTL_SECONDS = 600;

const ssoConfigSchema = z
  .object({
    displayName: z.string().meta({ example: 'Acme Okta' }),
    issuerUrl: z.string(),
    clientId: z.string(),
    clientSecretSet: z
      .boolean()
      .meta({ description: 'The client secret is stored sealed and never returned' }),
    groupsClaim: z.string(),
    groupRoles: z.array(groupRoleSchema),
    defaultRole: roleSchema
      .nullable()
      .meta({ description: 'Role when no group maps; null refuses such a person' }),
    enabled: z.boolean(),
    passwordSignInDisabled: z.boolean(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'SsoConfig' });

const ssoSettingsSchema = z
  .object({
    redirectUri: z
      .string()
      .meta({ description: 'Register this as the redirect URI at the identity provider' }),
    signInUrl: z.string().meta({ description: "The tenant's sign-in page with its SSO button" }),
    postLogoutRedirectUri: z.string().meta({
      description:
        "Register this as the post-logout redirect URI: signing out of Dolly ends the provider's session too",
    }),
    config: ssoConfigSchema.nullable(),
    installation: z
      .object({
        displayName: z.string(),
        issuerUrl: z.string(),
        groupRoles: z.array(groupRoleSchema),
        defaultRole: roleSchema.nullable(),
      })
      .nullable()
      .meta({
        description:
          "The operator's installation-wide sign-in (DOLLY_SSO_*) as it maps this tenant; used while the tenant has no configuration of its own",
      }),
  })
  .meta({ id: 'SsoSettings' });

const ssoLoginOptionSchema = z
  .object({
    tenant: z.string(),
    displayName: z.string(),
    passwordSignInDisabled: z.boolean(),
    startUrl: z.string().meta({ description: 'Open this in the browser to sign in' }),
  })
  .meta({ id: 'SsoLoginOption' });

const putBodySchema = z.object({
  displayName: z.string().trim().min(1).max(60),
  issuerUrl: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .meta({
      description:
        'https, on a public address (plain http or internal hosts only if the operator allows them)',
      example: 'https://acme.okta.com',
    }),
  clientId: z.string().trim().min(1).max(300),
  clientSecret: z
    .string()
    .min(1)
    .max(1000)
    .optional()
    .meta({ description: 'Required the first time; leave out to keep the stored one' }),
  groupsClaim: z.string().trim().min(1).max(100).default('groups'),
  groupRoles: z.array(groupRoleSchema).max(100).default([]),
  defaultRole: roleSchema.nullable().default(null),
  enabled: z.boolean().default(true),
  passwordSignInDisabled: z
    .boolean()
    .default(false)
    .meta({ description: "Refuse password sign-in for this tenant's members (recovery: pnpm dolly-admin)" }),
});

const toDto = (c: SsoConfig) => ({
  displayName: c.displayName,
  issuerUrl: c.issuerUrl,
  clientId: c.clientId,
  clientSecretSet: true,
  groupsClaim: c.groupsClaim,
  groupRoles: storedGroupRoles(c.groupRoles),
  defaultRole: c.defaultRole,
  enabled: c.enabled,
  passwordSignInDisabled: c.passwordSignInDisabled,
  updatedAt: c.updatedAt.toISOString(),
});

interface PendingSignIn extends SignInChecks {
  tenantId: string;
  tenantSlug: string;
  /** which configuration started it: the tenant's own, or the operator's for the installation */
  source?: 'tenant' | 'installation';
}

export function ssoRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const egress = parseEgressPolicy(deps.config.DOLLY_ENDPOINT_ALLOWLIST);
  const publicUrl = deps.config.DOLLY_PUBLIC_URL.replace(/\/+$/, '');
  const redirectUri = `${publicUrl}/api/v1/auth/sso/callback`;
  const pendingKey = (state: string) => `${deps.config.DOLLY_QUEUE_PREFIX}:sso:${state}`;

  const { installationConfig, enabledConfig, clientOf } = signInConfigs(deps, egress);

  // DOLLY_SSO_PASSWORD_SIGN_IN=disabled takes effect at start, as the tenant setting does when
  // saved: the password sessions open in the tenants it serves end (none can open afterwards).
  app.addHook('onReady', async () => {
    const installation = installationSsoFrom(deps.config);
    if (!installation?.passwordSignInDisabled) return;
    const served = await deps.db.tenant.findMany({
      where: { slug: { in: [...installation.tenants.keys()] }, sso: { is: null } },
      select: { id: true },
    });
    await deps.db.session.deleteMany({
      where: { tenantId: { in: served.map((t) => t.id) }, ssoTenantId: null },
    });
  });

  /** What Settings shows: the configuration (no secret) and the addresses to hand out. */
  const settingsOf = async (tenantId: string) => {
    const tenant = await deps.db.tenant.findUniqueOrThrow({
      where: { id: tenantId },
      include: { sso: true },
    });
    return {
      redirectUri,
      signInUrl: `${publicUrl}/?tenant=${encodeURIComponent(tenant.slug)}`,
      postLogoutRedirectUri: postLogoutRedirectUri(deps.config),
      config: tenant.sso ? toDto(tenant.sso) : null,
      installation: (() => {
        const c = installationConfig(tenant.slug);
        return c
          ? {
              displayName: c.displayName,
              issuerUrl: c.issuerUrl,
              groupRoles: c.groupRoles,
              defaultRole: c.defaultRole,
            }
          : null;
      })(),
    };
  };

  /**
   * A browser that navigated here gets the sign-in page with the reason; a script gets the
   * problem+json. Either way the reason is Dolly's sentence, never the provider's page.
   */
  const answerFailure = (
    request: FastifyRequest,
    reply: FastifyReply,
    error: unknown,
    tenantSlug?: string,
  ) => {
    const failure =
      error instanceof DollyError
        ? error
        : new DollyError('unauthenticated', `Single sign-on failed: ${describeOidcFailure(error)}`);
    if (!request.headers.accept?.includes('text/html')) throw failure;
    const target = new URL(`${publicUrl}/`);
    if (tenantSlug) target.searchParams.set('tenant', tenantSlug);
    target.searchParams.set('sso_error', failure.message);
    return reply.redirect(target.toString(), 303);
  };

  r.get(
    '/api/v1/auth/sso/:tenant',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['auth'],
        summary: "A tenant's single sign-on button, for the sign-in page",
        params: z.object({ tenant: z.string().min(1).max(100) }),
        response: { 200: ssoLoginOptionSchema, ...problemResponses },
      },
    },
    async (request) => {
      const { tenant, sso } = await enabledConfig(request.params.tenant);
      return {
        tenant: tenant.slug,
        displayName: sso.displayName,
        passwordSignInDisabled: sso.passwordSignInDisabled,
        startUrl: `/api/v1/auth/sso/${encodeURIComponent(tenant.slug)}/start`,
      };
    },
  );

  r.get(
    '/api/v1/auth/sso/:tenant/start',
    {
      config: {
        auth: 'public',
        rateLimit: {
          max: deps.config.DOLLY_LOGIN_RATE_LIMIT * 3,
          timeWindow: '1 minute',
          keyGenerator: (request) => `sso:${request.ip}`,
        },
      },
      schema: {
        tags: ['auth'],
        summary: "Start signing in with the tenant's identity provider (redirects there)",
        description:
          'Authorization code flow with PKCE, state and nonce. The state is kept server-side for 10 minutes and bound to this browser by a cookie.',
        params: z.object({ tenant: z.string().min(1).max(100) }),
        response: { 302: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      try {
        const { tenant, sso } = await enabledConfig(request.params.tenant);
        const client = await clientOf(sso);
        const { url, checks } = await authorizationUrl(client, redirectUri, sso.groupsClaim);
        const pending: PendingSignIn = {
          ...checks,
          tenantId: tenant.id,
          tenantSlug: tenant.slug,
          source: sso.source,
        };
        await deps.redis.set(pendingKey(checks.state), JSON.stringify(pending), 'EX', SIGN_IN_TTL_SECONDS);
        reply.setCookie(STATE_COOKIE, checks.state, {
          httpOnly: true,
          // Lax: the provider's redirect back is a top-level GET, which carries it
          sameSite: 'lax',
          secure: deps.config.DOLLY_COOKIE_SECURE,
          path: STATE_COOKIE_PATH,
          maxAge: SIGN_IN_TTL_SECONDS,
        });
        return reply.redirect(url.toString(), 302);
      } catch (error) {
        return answerFailure(request, reply, error, request.params.tenant);
      }
    },
  );

  r.get(
    '/api/v1/auth/sso/callback',
    {
      // every outcome is written below with the person, the tenant and the reason
      config: { auth: 'public', audit: false },
      schema: {
        tags: ['auth'],
        summary: 'Where the identity provider sends the browser back; opens the Dolly session',
        querystring: z.object({
          code: z.string().optional(),
          state: z.string().max(500).optional(),
          error: z.string().optional(),
        }),
        response: { 303: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const state = request.query.state;
      const cookieState = request.cookies[STATE_COOKIE];
      reply.clearCookie(STATE_COOKIE, { path: STATE_COOKIE_PATH });
      const audit = (facts: Omit<AuditFacts, 'action'>) =>
        recordAudit(deps.db, request, { action: 'sso.sign_in', ...facts });
      let pending: PendingSignIn | undefined;
      try {
        if (!state || !cookieState || state !== cookieState)
          throw new DollyError(
            'validation_failed',
            'This sign-in was not started in this browser; start it again',
            [{ path: 'query.state', message: 'does not match the sign-in this browser started' }],
          );
        // GETDEL: a state is good for one callback only
        const raw = await deps.redis.getdel(pendingKey(state));
        if (!raw)
          throw new DollyError(
            'validation_failed',
            'This sign-in expired or was already used; start it again',
            [{ path: 'query.state', message: 'unknown or expired' }],
          );
        pending = JSON.parse(raw) as PendingSignIn;
        // the configuration that started the sign-in must still be the one in force
        const { sso } = await enabledConfig(pending.tenantSlug);
        if (sso.source !== (pending.source ?? 'tenant'))
          throw new DollyError('conflict', 'Single sign-on changed during this sign-in; start it again');
        const client = await clientOf(sso);
        const callbackUrl = new URL(redirectUri);
        callbackUrl.search = new URL(request.url, 'http://callback.invalid').search;
        let claims: Awaited<ReturnType<typeof completeSignIn>>;
        try {
          claims = await completeSignIn(client, callbackUrl, pending);
        } catch (error) {
          throw new DollyError('unauthenticated', `Single sign-on failed: ${describeOidcFailure(error)}`);
        }
        const issuer = client.serverMetadata().issuer;
        const groups = groupsFromClaims(claims, sso.groupsClaim);
        const person = {
          issuer,
          subject: claims.sub,
          email: typeof claims.email === 'string' ? claims.email : null,
          groups: groups.slice(0, 50),
        };
        const role = roleForGroups(groups, sso.groupRoles, sso.defaultRole);
        if (!role) {
          const revoked = await revokeUnmapped(deps, pending.tenantId, issuer, claims.sub);
          await audit({
            tenantId: pending.tenantId,
            actorUserId: null,
            outcome: 'denied',
            detail: { ...person, reason: 'no group maps to a role', ...revoked },
          });
          throw new DollyError(
            'forbidden',
            `None of your groups at ${sso.displayName} gives access to tenant ${pending.tenantSlug}`,
          );
        }
        const { userId, created } = await userFor(deps, pending.tenantId, claims, issuer, sso.source);
        const membership = await deps.db.membership.findUnique({
          where: { tenantId_userId: { tenantId: pending.tenantId, userId } },
        });
        if (!membership)
          await deps.db.membership.create({ data: { tenantId: pending.tenantId, userId, role } });
        // The provider's groups are the source of truth on every sign-in, except for owners:
        // they are managed in Dolly, so a tenant can never lose its owner through a group change.
        else if (membership.role !== role && membership.role !== 'owner')
          await deps.db.membership.update({ where: { id: membership.id }, data: { role } });
        await openSession(deps, reply, { userId, tenantId: pending.tenantId, ssoTenantId: pending.tenantId });
        await audit({
          tenantId: pending.tenantId,
          actorUserId: userId,
          targetType: 'users',
          targetId: userId,
          outcome: 'success',
          detail: {
            ...person,
            role: membership?.role === 'owner' ? 'owner' : role,
            createdUser: created,
            createdMembership: !membership,
          },
        });
        return reply.redirect(`${publicUrl}/`, 303);
      } catch (error) {
        if (pending && !(error instanceof DollyError && error.code === 'forbidden'))
          await audit({
            tenantId: pending.tenantId,
            actorUserId: null,
            outcome: 'failed',
            detail: { reason: error instanceof Error ? error.message : String(error) },
          });
        return answerFailure(request, reply, error, pending?.tenantSlug);
      }
    },
  );

  r.get(
    '/api/v1/sso',
    {
      config: { auth: { can: 'manage', on: 'SsoConfig' } },
      schema: {
        tags: ['sso'],
        summary: "The tenant's single sign-on configuration (never the client secret)",
        response: { 200: ssoSettingsSchema, ...problemResponses },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      return settingsOf(p.tenantId);
    },
  );

  r.put(
    '/api/v1/sso',
    {
      config: { auth: { can: 'manage', on: 'SsoConfig' }, audit: 'sso.update' },
      schema: {
        tags: ['sso'],
        summary: 'Configure OIDC single sign-on for the tenant',
        description:
          "The issuer's discovery document is read (through Dolly's egress policy) before anything is saved. Turning password sign-in off ends the tenant's other password sessions.",
        body: putBodySchema,
        response: { 200: ssoSettingsSchema, ...problemResponses },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const body = request.body;
      const existing = await deps.db.ssoConfig.findUnique({ where: { tenantId: p.tenantId } });
      if (!body.clientSecret && !existing)
        throw new DollyError('validation_failed', 'The client secret is required the first time', [
          { path: 'body.clientSecret', message: 'required' },
        ]);
      if (body.passwordSignInDisabled && !body.enabled)
        throw new DollyError(
          'validation_failed',
          'Password sign-in can only be turned off while single sign-on is on',
          [{ path: 'body.passwordSignInDisabled', message: 'needs enabled: true' }],
        );
      // Privilege boundary: nobody hands out, through groups, a role above their own.
      const grants: { path: string; role: Role }[] = [
        ...body.groupRoles.map((g, i) => ({ path: `body.groupRoles.${i}.role`, role: g.role })),
        ...(body.defaultRole ? [{ path: 'body.defaultRole', role: body.defaultRole }] : []),
      ];
      const refused = grants
        .map((g) => ({ ...g, verdict: canGrantRole(p.role, g.role) }))
        .filter((g) => !g.verdict.ok);
      if (refused.length)
        throw new DollyError(
          'forbidden',
          `A ${p.role} cannot map groups to a role above their own`,
          refused.map((g) => ({ path: g.path, message: `above your role (${p.role})` })),
        );
      const verdict = await checkTenantEndpoint(body.issuerUrl, deps.config.DOLLY_ENDPOINT_ALLOWLIST);
      if (!verdict.ok)
        throw new DollyError('validation_failed', 'The issuer URL is not one Dolly may call', [
          { path: 'body.issuerUrl', message: verdict.reason },
        ]);
      const clientSecret =
        body.clientSecret ??
        (existing
          ? deps.vault.open<string>({
              cipher: existing.clientSecretCipher,
              keyId: existing.clientSecretKeyId,
            })
          : '');
      try {
        await discoverIssuer({ issuerUrl: body.issuerUrl, clientId: body.clientId, clientSecret }, egress);
      } catch (error) {
        throw new DollyError(
          'validation_failed',
          'The issuer could not be read as an OpenID Connect provider',
          [{ path: 'body.issuerUrl', message: describeOidcFailure(error) }],
        );
      }
      const sealed = body.clientSecret ? deps.vault.seal(body.clientSecret) : undefined;
      const data = {
        displayName: body.displayName,
        issuerUrl: body.issuerUrl,
        clientId: body.clientId,
        groupsClaim: body.groupsClaim,
        groupRoles: body.groupRoles,
        defaultRole: body.defaultRole,
        enabled: body.enabled,
        passwordSignInDisabled: body.passwordSignInDisabled,
        ...(sealed ? { clientSecretCipher: sealed.cipher, clientSecretKeyId: sealed.keyId } : {}),
      };
      if (existing) await deps.db.ssoConfig.update({ where: { id: existing.id }, data });
      else if (sealed)
        await deps.db.ssoConfig.create({
          data: {
            ...data,
            tenantId: p.tenantId,
            clientSecretCipher: sealed.cipher,
            clientSecretKeyId: sealed.keyId,
          },
        });
      if (body.passwordSignInDisabled && !existing?.passwordSignInDisabled)
        await deps.db.session.deleteMany({
          where: {
            tenantId: p.tenantId,
            ssoTenantId: null,
            ...(p.sessionId ? { id: { not: p.sessionId } } : {}),
          },
        });
      return settingsOf(p.tenantId);
    },
  );

  r.delete(
    '/api/v1/sso',
    {
      config: { auth: { can: 'manage', on: 'SsoConfig' }, audit: 'sso.delete' },
      schema: {
        tags: ['sso'],
        summary:
          'Remove single sign-on (password sign-in works again); linked identities stay for a later setup',
        response: { 204: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const removed = await deps.db.ssoConfig.deleteMany({ where: { tenantId: p.tenantId } });
      if (!removed.count) throw new DollyError('not_found', 'Single sign-on is not configured');
      return reply.status(204).send(null);
    },
  );
}

/**
 * A known person none of whose groups maps any more has lost the tenant: the provider's groups
 * are authoritative, as for a promotion or a demotion. Their membership goes, and with it their
 * sessions there and their API tokens (revoked, so that a later membership does not revive them).
 * An owner is managed in Dolly and keeps the membership, but the sessions this provider opened
 * end: it no longer vouches for them. Someone this provider never signed in (no linked identity)
 * is left alone.
 */
async function revokeUnmapped(deps: AppDeps, tenantId: string, issuer: string, subject: string) {
  const identity = await deps.db.userIdentity.findUnique({
    where: { issuer_subject: { issuer, subject } },
  });
  if (!identity) return {};
  const membership = await deps.db.membership.findUnique({
    where: { tenantId_userId: { tenantId, userId: identity.userId } },
  });
  const removeMembership = membership !== null && membership.role !== 'owner';
  const where = {
    userId: identity.userId,
    tenantId,
    ...(removeMembership ? {} : { ssoTenantId: tenantId }),
  };
  const sessionsEnded =
    removeMembership && membership
      ? (
          await deps.db.$transaction([
            deps.db.membership.delete({ where: { id: membership.id } }),
            deps.db.session.deleteMany({ where }),
            // revoked, not merely dormant: a later membership must not bring them back
            deps.db.apiToken.updateMany({
              where: { tenantId, createdById: identity.userId, revokedAt: null },
              data: { revokedAt: new Date() },
            }),
          ])
        )[1].count
      : (await deps.db.session.deleteMany({ where })).count;
  return {
    userId: identity.userId,
    membershipRemoved: removeMembership,
    ...(membership ? { formerRole: membership.role } : {}),
    sessionsEnded,
  };
}

/**
 * The Dolly user behind an identity: the one linked to (issuer, subject), else a new user (just
 * in time), else an existing user with that email — but only when the provider verified the
 * email and the user belongs to no other tenant and is no owner here. A tenant's admins control
 * its identity provider; linking anyone else would let them sign in as a person of another tenant
 * or as their own owner.
 */
async function userFor(
  deps: AppDeps,
  tenantId: string,
  claims: Record<string, unknown> & { sub: string },
  issuer: string,
  source: SignInConfig['source'],
): Promise<{ userId: string; created: boolean }> {
  const identity = await deps.db.userIdentity.findUnique({
    where: { issuer_subject: { issuer, subject: claims.sub } },
  });
  if (identity) return { userId: identity.userId, created: false };
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
  if (!z.email().safeParse(email).success)
    throw new DollyError('forbidden', 'The identity provider did not send an email address (scope "email")');
  const existing = await deps.db.user.findUnique({ where: { email }, include: { memberships: true } });
  if (!existing) {
    const name =
      typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim().slice(0, 200) : email;
    const user = await deps.db.user.create({
      data: { email, name, identities: { create: { issuer, subject: claims.sub } } },
    });
    return { userId: user.id, created: true };
  }
  // The installation's provider is the operator's, who runs every tenant: a verified email is enough.
  const tenantBound = source === 'tenant';
  const elsewhere = tenantBound && existing.memberships.some((m) => m.tenantId !== tenantId);
  const owner =
    tenantBound && existing.memberships.some((m) => m.tenantId === tenantId && m.role === 'owner');
  if (claims.email_verified !== true || elsewhere || owner)
    throw new DollyError(
      'conflict',
      `${email} already has a Dolly account that single sign-on may not take over; sign in with your password, or ask an admin`,
    );
  await deps.db.userIdentity.create({ data: { userId: existing.id, issuer, subject: claims.sub } });
  return { userId: existing.id, created: false };
}
