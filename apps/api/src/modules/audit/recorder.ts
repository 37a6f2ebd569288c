import type { Database } from '@dolly/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Name of the action in the audit log, e.g. "token.create"; defaults to "METHOD /route".
     * `false`: the handler writes its own entries (`recordAudit`), with what only it knows.
     */
    audit?: string | false;
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function outcomeOf(status: number) {
  if (status === 401 || status === 403) return 'denied';
  return status < 400 ? 'success' : 'failed';
}

export interface AuditFacts {
  tenantId: string | null;
  actorUserId: string | null;
  tokenId?: string | null;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  outcome: 'success' | 'failed' | 'denied';
  detail: Record<string, unknown>;
}

/** One audit line, written by the trail below or by a handler that knows more (SSO sign-ins). */
export async function recordAudit(db: Database, request: FastifyRequest, facts: AuditFacts) {
  try {
    await db.auditEntry.create({
      data: {
        tenantId: facts.tenantId,
        actorUserId: facts.actorUserId,
        tokenId: facts.tokenId ?? null,
        action: facts.action,
        targetType: facts.targetType ?? null,
        targetId: facts.targetId ?? null,
        outcome: facts.outcome,
        requestId: request.id,
        detail: facts.detail as object,
      },
    });
  } catch (error) {
    // Never fail a request because its audit line could not be written; make it loud instead.
    request.log.error({ err: error }, 'audit entry could not be written');
  }
}

/**
 * Every mutating API call, every named read and every denied attempt lands in the audit log, with who (user and
 * token), where (tenant), what (action and target) and how it ended. Bodies are never recorded:
 * they may hold credentials.
 *
 * The line is written in `onSend`, before the answer leaves: a caller who has seen the answer can read its line,
 * and a crash between the two loses the answer, never the line (`onResponse` would race the caller).
 */
export function registerAuditTrail(app: FastifyInstance, db: Database) {
  app.addHook('onSend', async (request: FastifyRequest, reply, payload) => {
    await recordResponse(db, request, reply.statusCode);
    return payload;
  });
}

async function recordResponse(db: Database, request: FastifyRequest, status: number) {
  const url = request.routeOptions.url;
  if (!url?.startsWith('/api/v1/')) return;
  const outcome = outcomeOf(status);
  // Reads are not logged, except those that hand out secrets (kubeconfigs): they are named.
  const named = request.routeOptions.config.audit;
  if (named === false) return;
  if (SAFE.has(request.method) && outcome !== 'denied' && !named) return;
  const params = (request.params ?? {}) as Record<string, string>;
  const [, , , resource] = url.split('/');
  await recordAudit(db, request, {
    tenantId: request.principal?.tenantId ?? null,
    actorUserId: request.principal?.userId ?? null,
    tokenId: request.principal?.tokenId ?? null,
    action: named ?? `${request.method} ${url}`,
    targetType: resource ?? null,
    targetId: params.id ?? null,
    outcome,
    detail: { status, method: request.method, path: url },
  });
}
