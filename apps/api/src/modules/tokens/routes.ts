import { canGrantRole } from '@dolly/authz';
import { DollyError } from '@dolly/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { idParams, problemResponses, roleSchema } from '../../lib/schemas.ts';
import { hashSecret, newSecret } from '../../lib/tokens.ts';
import { requirePrincipal } from '../../plugins/auth.ts';

const tokenSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    role: roleSchema,
    prefix: z.string().meta({ description: 'First characters of the token, to tell tokens apart' }),
    createdBy: z.string(),
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime().nullable(),
    lastUsedAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'ApiToken' });

type TokenRow = {
  id: string;
  name: string;
  role: z.infer<typeof roleSchema>;
  prefix: string;
  createdById: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
};
const toDto = (t: TokenRow, emails: Map<string, string>) => ({
  id: t.id,
  name: t.name,
  role: t.role,
  prefix: t.prefix,
  createdBy: emails.get(t.createdById) ?? t.createdById,
  createdAt: t.createdAt.toISOString(),
  expiresAt: t.expiresAt?.toISOString() ?? null,
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  revokedAt: t.revokedAt?.toISOString() ?? null,
});

/** Revokes a token and every token it created, and theirs, in one statement. */
async function revokeWithDescendants(deps: AppDeps, id: string) {
  await deps.db.$executeRaw`
    WITH RECURSIVE chain AS (
      SELECT id FROM "ApiToken" WHERE id = ${id}::uuid
      UNION
      SELECT t.id FROM "ApiToken" t JOIN chain c ON t."parentTokenId" = c.id
    )
    UPDATE "ApiToken" SET "revokedAt" = now()
    WHERE id IN (SELECT id FROM chain) AND "revokedAt" IS NULL`;
}

export function tokenRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/tokens',
    {
      config: { auth: { can: 'create', on: 'ApiToken' }, audit: 'token.create' },
      schema: {
        tags: ['tokens'],
        summary: 'Create an API token for scripts; the secret is shown once',
        body: z.object({
          name: z.string().min(1).max(100).meta({ example: 'ci-pipeline' }),
          role: roleSchema.meta({ description: 'At most your own role' }),
          expiresInDays: z.number().int().min(1).max(3650).optional(),
        }),
        response: {
          201: tokenSchema.extend({
            token: z.string().meta({ description: 'The secret. Shown only in this response.' }),
          }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const grant = canGrantRole(p.role, request.body.role);
      if (!grant.ok) throw new DollyError('forbidden', grant.reason);
      const expiresAt = request.body.expiresInDays
        ? new Date(Date.now() + request.body.expiresInDays * 86_400_000)
        : null;
      // A token minting tokens passes on at most what it has: its role (checked above, p.role is
      // the token's effective role) and its lifetime.
      const parent =
        p.via === 'token' && p.tokenId
          ? await deps.db.apiToken.findUnique({ where: { id: p.tokenId } })
          : null;
      if (parent?.expiresAt && (!expiresAt || expiresAt > parent.expiresAt))
        throw new DollyError('forbidden', 'A token cannot create a token that outlives it', [
          {
            path: 'body.expiresInDays',
            message: `at most ${Math.floor((parent.expiresAt.getTime() - Date.now()) / 86_400_000)} day(s): the creating token expires ${parent.expiresAt.toISOString()}`,
          },
        ]);
      const secret = newSecret('dolly_');
      const row = await deps.db.apiToken.create({
        data: {
          tenantId: p.tenantId,
          createdById: p.userId,
          name: request.body.name,
          role: request.body.role,
          prefix: secret.slice(0, 12),
          tokenHash: hashSecret(secret),
          expiresAt,
          parentTokenId: parent?.id ?? null,
        },
      });
      const user = await deps.db.user.findUniqueOrThrow({ where: { id: p.userId } });
      return reply.status(201).send({ ...toDto(row, new Map([[user.id, user.email]])), token: secret });
    },
  );

  r.get(
    '/api/v1/tokens',
    {
      config: { auth: { can: 'create', on: 'ApiToken' } },
      schema: {
        tags: ['tokens'],
        summary: "List the tenant's API tokens (admins see all, others their own), with last use",
        response: { 200: z.object({ items: z.array(tokenSchema) }), ...problemResponses },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const all = p.role === 'owner' || p.role === 'admin';
      const rows = await deps.db.apiToken.findMany({
        where: { tenantId: p.tenantId, ...(all ? {} : { createdById: p.userId }) },
        orderBy: { createdAt: 'desc' },
      });
      const users = await deps.db.user.findMany({
        where: { id: { in: [...new Set(rows.map((t) => t.createdById))] } },
      });
      const emails = new Map(users.map((u) => [u.id, u.email]));
      return { items: rows.map((t) => toDto(t, emails)) };
    },
  );

  r.delete(
    '/api/v1/tokens/:id',
    {
      config: { auth: { can: 'create', on: 'ApiToken' }, audit: 'token.revoke' },
      schema: {
        tags: ['tokens'],
        summary: 'Revoke an API token and every token it created',
        params: idParams,
        response: { 204: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const all = p.role === 'owner' || p.role === 'admin';
      const token = await deps.db.apiToken.findFirst({
        where: { id: request.params.id, tenantId: p.tenantId, ...(all ? {} : { createdById: p.userId }) },
      });
      if (!token) throw new DollyError('not_found', `No token ${request.params.id}`);
      await revokeWithDescendants(deps, token.id);
      return reply.status(204).send(null);
    },
  );
}
