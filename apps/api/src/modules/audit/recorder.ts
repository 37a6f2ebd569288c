import type { Database } from '@dolly/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Name of the action in the audit log, e.g. "token.create"; defaults to "METHOD /route". */
    audit?: string;
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function outcomeOf(status: number) {
  if (status === 401 || status === 403) return 'denied';
  return status < 400 ? 'success' : 'failed';
}

/**
 * Every mutating API call, every named read and every denied attempt lands in the audit log, with who (user and
 * token), where (tenant), what (action and target) and how it ended. Bodies are never recorded:
 * they may hold credentials.
 */
export function registerAuditTrail(app: FastifyInstance, db: Database) {
  app.addHook('onResponse', async (request: FastifyRequest, reply) => {
    const url = request.routeOptions.url;
    if (!url?.startsWith('/api/v1/')) return;
    const status = reply.statusCode;
    const outcome = outcomeOf(status);
    // Reads are not logged, except those that hand out secrets (kubeconfigs): they are named.
    const named = request.routeOptions.config.audit;
    if (SAFE.has(request.method) && outcome !== 'denied' && !named) return;
    const params = (request.params ?? {}) as Record<string, string>;
    const [, , , resource] = url.split('/');
    try {
      await db.auditEntry.create({
        data: {
          tenantId: request.principal?.tenantId ?? null,
          actorUserId: request.principal?.userId ?? null,
          tokenId: request.principal?.tokenId ?? null,
          action: named ?? `${request.method} ${url}`,
          targetType: resource ?? null,
          targetId: params.id ?? null,
          outcome,
          requestId: request.id,
          detail: { status, method: request.method, path: url },
        },
      });
    } catch (error) {
      // Never fail a request because its audit line could not be written; make it loud instead.
      request.log.error({ err: error }, 'audit entry could not be written');
    }
  });
}
