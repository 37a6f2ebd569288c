import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import { problemResponses } from '../../lib/schemas.ts';
import { requirePrincipal } from '../../plugins/auth.ts';

const entrySchema = z
  .object({
    id: z.string(),
    createdAt: z.iso.datetime(),
    actor: z.string().nullable(),
    tokenId: z.uuid().nullable(),
    action: z.string(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    outcome: z.enum(['success', 'denied', 'failed']),
    requestId: z.string().nullable(),
    detail: z.unknown(),
  })
  .meta({ id: 'AuditEntry' });

const filters = z.object({
  actor: z.string().optional().meta({ description: 'Email of the acting user' }),
  action: z.string().optional().meta({ description: 'Substring of the action' }),
  outcome: z.enum(['success', 'denied', 'failed']).optional(),
  since: z.iso.datetime().optional(),
  until: z.iso.datetime().optional(),
  before: z.coerce
    .bigint()
    .optional()
    .meta({ type: 'integer', description: 'Cursor: entries older than this id' }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export function auditRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  async function query(tenantId: string, f: z.infer<typeof filters>, take: number) {
    const actor = f.actor
      ? await deps.db.user.findUnique({ where: { email: f.actor.toLowerCase() } })
      : undefined;
    const rows = await deps.db.auditEntry.findMany({
      where: {
        tenantId,
        ...(f.actor ? { actorUserId: actor?.id ?? '00000000-0000-0000-0000-000000000000' } : {}),
        ...(f.action ? { action: { contains: f.action } } : {}),
        ...(f.outcome ? { outcome: f.outcome } : {}),
        ...(f.since || f.until
          ? {
              createdAt: {
                ...(f.since ? { gte: new Date(f.since) } : {}),
                ...(f.until ? { lte: new Date(f.until) } : {}),
              },
            }
          : {}),
        ...(f.before ? { id: { lt: f.before } } : {}),
      },
      orderBy: { id: 'desc' },
      take,
    });
    const users = await deps.db.user.findMany({
      where: { id: { in: [...new Set(rows.flatMap((e) => (e.actorUserId ? [e.actorUserId] : [])))] } },
    });
    const emails = new Map(users.map((u) => [u.id, u.email]));
    return rows.map((e) => ({
      id: e.id.toString(),
      createdAt: e.createdAt.toISOString(),
      actor: e.actorUserId ? (emails.get(e.actorUserId) ?? e.actorUserId) : null,
      tokenId: e.tokenId,
      action: e.action,
      targetType: e.targetType,
      targetId: e.targetId,
      outcome: e.outcome as 'success' | 'denied' | 'failed',
      requestId: e.requestId,
      detail: e.detail,
    }));
  }

  r.get(
    '/api/v1/audit',
    {
      config: { auth: { can: 'read', on: 'AuditLog' } },
      schema: {
        tags: ['audit'],
        summary: 'The audit log: every mutating action and every denied attempt, newest first',
        querystring: filters,
        response: {
          200: z.object({ items: z.array(entrySchema), nextBefore: z.string().nullable() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const items = await query(requirePrincipal(request).tenantId, request.query, request.query.limit);
      return { items, nextBefore: items.length === request.query.limit ? (items.at(-1)?.id ?? null) : null };
    },
  );

  r.get(
    '/api/v1/audit/export',
    {
      config: { auth: { can: 'read', on: 'AuditLog' }, audit: 'audit.export' },
      schema: {
        tags: ['audit'],
        summary: 'The filtered audit log as JSON lines (application/x-ndjson)',
        querystring: filters.omit({ limit: true }),
      },
    },
    async (request, reply) => {
      const items = await query(
        requirePrincipal(request).tenantId,
        { ...request.query, limit: 100_000 },
        100_000,
      );
      reply.header('content-disposition', 'attachment; filename="dolly-audit.jsonl"');
      return reply
        .type('application/x-ndjson')
        .send(items.map((e) => JSON.stringify(e)).join('\n') + (items.length ? '\n' : ''));
    },
  );
}
