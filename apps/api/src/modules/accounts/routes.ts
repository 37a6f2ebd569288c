import { DollyError } from '@dolly/contracts';
import type { CloudAccount } from '@dolly/db';
import type { ConnectionTestResult } from '@dolly/providers';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { idParams, problemResponses } from '../../lib/schemas.ts';
import { requirePrincipal } from '../../plugins/auth.ts';
import {
  assertCredentialKindAllowed,
  assertTenantEndpoints,
  refuseTenantExternalId,
  withExternalId,
} from './credential-rules.ts';
import {
  accountSchema,
  accountSettingsSchema,
  caBundleSchema,
  createAccountBody,
  credentialsFitCloud,
  credentialsSchema,
} from './schemas.ts';

export function toAccountDto(a: CloudAccount, clusters = 0) {
  return {
    id: a.id,
    name: a.name,
    cloud: a.cloud,
    scope: a.scope,
    endpoint: a.endpoint,
    hasCaBundle: Boolean(a.caBundle),
    credentialKind: a.credentialKind,
    settings: (a.settings ?? {}) as Record<string, unknown>,
    defaultEnvironment: a.defaultEnvironment,
    lastTestedAt: a.lastTestedAt?.toISOString() ?? null,
    lastTestResult: a.lastTestResult ?? null,
    clusters,
    createdAt: a.createdAt.toISOString(),
  };
}

export function accountRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const find = async (tenantId: string, id: string) => {
    const a = await deps.db.cloudAccount.findFirst({ where: { id, tenantId } });
    if (!a) throw new DollyError('not_found', `No cloud account ${id}`);
    return a;
  };
  const nameTaken = (e: unknown) => (e as { code?: string }).code === 'P2002';

  r.get(
    '/api/v1/accounts',
    {
      config: { auth: { can: 'read', on: 'CloudAccount' } },
      schema: {
        tags: ['accounts'],
        summary: 'Cloud accounts of the tenant (never their credentials)',
        response: { 200: z.object({ items: z.array(accountSchema) }), ...problemResponses },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const rows = await deps.db.cloudAccount.findMany({
        where: { tenantId: p.tenantId },
        orderBy: { name: 'asc' },
        include: { _count: { select: { clusters: { where: { vanishedAt: null } } } } },
      });
      return { items: rows.map((a) => toAccountDto(a, a._count.clusters)) };
    },
  );

  r.get(
    '/api/v1/accounts/:id',
    {
      config: { auth: { can: 'read', on: 'CloudAccount' } },
      schema: {
        tags: ['accounts'],
        summary: 'One cloud account',
        params: idParams,
        response: { 200: accountSchema, ...problemResponses },
      },
    },
    async (request) => toAccountDto(await find(requirePrincipal(request).tenantId, request.params.id)),
  );

  r.post(
    '/api/v1/accounts',
    {
      config: { auth: { can: 'create', on: 'CloudAccount' }, audit: 'account.create' },
      schema: {
        tags: ['accounts'],
        summary: 'Connect a cloud account; credentials are encrypted at rest and never shown again',
        body: createAccountBody,
        response: { 201: accountSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const { credentials, ...body } = request.body;
      if (!credentialsFitCloud(body.cloud, credentials.kind)) {
        throw new DollyError(
          'validation_failed',
          `${credentials.kind} credentials do not belong to ${body.cloud}`,
          [{ path: 'body.credentials.kind', message: `not a ${body.cloud} credential kind` }],
        );
      }
      await assertCredentialKindAllowed(
        deps.db,
        deps.config.DOLLY_HOST_IDENTITY_TENANTS,
        p.tenantId,
        credentials.kind,
      );
      await assertTenantEndpoints(deps.config.DOLLY_ENDPOINT_ALLOWLIST, {
        endpoint: body.endpoint,
        settings: body.settings,
        credentials,
      });
      refuseTenantExternalId(body.settings);
      const fitted = withExternalId(credentials, undefined);
      const sealed = deps.vault.seal(fitted.credentials);
      try {
        const a = await deps.db.cloudAccount.create({
          data: {
            tenantId: p.tenantId,
            name: body.name,
            cloud: body.cloud,
            scope: body.scope ?? null,
            endpoint: body.endpoint ?? null,
            caBundle: body.caBundle ?? null,
            credentialKind: credentials.kind,
            credentialsCipher: sealed.cipher,
            credentialsKeyId: sealed.keyId,
            settings: {
              ...body.settings,
              ...(fitted.externalId ? { externalId: fitted.externalId } : {}),
            } as object,
            regions: body.settings.regions ?? [],
            defaultEnvironment: body.defaultEnvironment ?? null,
          },
        });
        return reply.status(201).send(toAccountDto(a));
      } catch (e) {
        if (nameTaken(e)) throw new DollyError('conflict', `An account named "${body.name}" exists`);
        throw e;
      }
    },
  );

  r.patch(
    '/api/v1/accounts/:id',
    {
      config: { auth: { can: 'update', on: 'CloudAccount' }, audit: 'account.update' },
      schema: {
        tags: ['accounts'],
        summary: 'Rename, change settings, or rotate the credentials of an account',
        params: idParams,
        body: z.object({
          name: z.string().min(1).max(100).optional(),
          endpoint: z.url().nullable().optional(),
          caBundle: caBundleSchema.nullable().optional(),
          credentials: credentialsSchema.optional(),
          settings: accountSettingsSchema.optional(),
          defaultEnvironment: z.string().min(1).max(40).nullable().optional(),
        }),
        response: { 200: accountSchema, ...problemResponses },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const a = await find(p.tenantId, request.params.id);
      const { credentials, settings, ...rest } = request.body;
      if (credentials && !credentialsFitCloud(a.cloud, credentials.kind)) {
        throw new DollyError(
          'validation_failed',
          `${credentials.kind} credentials do not belong to ${a.cloud}`,
          [{ path: 'body.credentials.kind', message: `not a ${a.cloud} credential kind` }],
        );
      }
      if (credentials)
        await assertCredentialKindAllowed(
          deps.db,
          deps.config.DOLLY_HOST_IDENTITY_TENANTS,
          p.tenantId,
          credentials.kind,
        );
      await assertTenantEndpoints(deps.config.DOLLY_ENDPOINT_ALLOWLIST, {
        ...(rest.endpoint !== undefined ? { endpoint: rest.endpoint } : {}),
        ...(settings ? { settings } : {}),
        ...(credentials ? { credentials } : {}),
      });
      const current = (a.settings ?? {}) as Record<string, unknown>;
      const kept = typeof current.externalId === 'string' ? current.externalId : undefined;
      refuseTenantExternalId(settings, kept);
      const fitted = credentials ? withExternalId(credentials, kept) : undefined;
      const sealed = fitted ? deps.vault.seal(fitted.credentials) : undefined;
      // New settings replace the old ones, except the external id: it is Dolly's, and the role's trust
      // policy names it, so it outlives every settings change and credential rotation.
      const externalId = fitted?.externalId ?? kept;
      const nextSettings = settings ?? (fitted?.externalId ? current : undefined);
      const updated = await deps.db.cloudAccount.update({
        where: { id: a.id },
        data: {
          ...rest,
          ...(nextSettings
            ? {
                settings: {
                  ...nextSettings,
                  ...(externalId ? { externalId } : {}),
                } as object,
                regions: (nextSettings.regions as string[] | undefined) ?? [],
              }
            : {}),
          ...(sealed && credentials
            ? {
                credentialKind: credentials.kind,
                credentialsCipher: sealed.cipher,
                credentialsKeyId: sealed.keyId,
              }
            : {}),
        },
      });
      return toAccountDto(updated);
    },
  );

  r.delete(
    '/api/v1/accounts/:id',
    {
      config: { auth: { can: 'delete', on: 'CloudAccount' }, audit: 'account.delete' },
      schema: {
        tags: ['accounts'],
        summary: 'Disconnect an account and forget its inventory (clusters in the cloud are not touched)',
        params: idParams,
        response: { 204: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      await find(p.tenantId, request.params.id);
      await deps.db.cloudAccount.delete({ where: { id: request.params.id } });
      return reply.status(204).send(null);
    },
  );

  r.post(
    '/api/v1/accounts/:id/test',
    {
      config: { auth: { can: 'update', on: 'CloudAccount' }, audit: 'account.test' },
      schema: {
        tags: ['accounts'],
        summary:
          'Test the stored credentials: who they are, which scopes they reach, which permissions are missing',
        params: idParams,
        response: {
          200: z.object({
            ok: z.boolean(),
            identity: z.string().optional(),
            scopes: z.array(z.string()),
            missing: z.array(z.string()),
            message: z.string().optional(),
            testedAt: z.iso.datetime(),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const a = await find(p.tenantId, request.params.id);
      const controller = new AbortController();
      const timer = setTimeout(
        () => controller.abort(new Error('the cloud did not answer within 30 s')),
        30_000,
      );
      let result: ConnectionTestResult;
      try {
        result = await deps.cloud.provider(a).testConnection({ signal: controller.signal });
      } catch (error) {
        // A failed test is an answer, not an error: the cloud's message tells the admin what to fix.
        result = {
          ok: false,
          scopes: [],
          missing: [],
          message: error instanceof Error ? error.message : String(error),
        };
      } finally {
        clearTimeout(timer);
      }
      const testedAt = new Date();
      await deps.db.cloudAccount.update({
        where: { id: a.id },
        data: { lastTestedAt: testedAt, lastTestResult: result as object },
      });
      return { ...result, testedAt: testedAt.toISOString() };
    },
  );
}
