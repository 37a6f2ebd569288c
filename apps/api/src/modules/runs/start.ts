import { DollyError } from '@dolly/contracts';
import type { Run } from '@dolly/db';
import { createRunNotifier } from '@dolly/jobs';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../../deps.ts';
import type { Principal } from '../../plugins/auth.ts';

type StartableKind = 'sync' | 'clone' | 'rollback' | 'migrate' | 'environment';

/** Documents the header on routes that start work; unknown headers pass through untouched. */
export const idempotencyHeaders = z.looseObject({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .optional()
    .meta({ description: 'Repeat a POST with the same key to get the same run(s) back instead of new ones' }),
});

export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  return typeof key === 'string' && key.length > 0 ? key : undefined;
}

export interface NewRun {
  kind: StartableKind;
  input: Record<string, unknown> & { title: string };
  planId?: string;
  planItemIndex?: number;
  parentRunId?: string;
  /** the environment recipe the run refreshes */
  recipeId?: string;
  needsApproval?: boolean;
  idempotencyKey?: string;
  /** What the replayed run must match for the key to count as the same request. */
  sameRequest?: (existing: Run) => boolean;
  /** Runs after the row exists and before a worker can see the job (e.g. copying checkpoints). */
  beforeQueue?: (run: Run) => Promise<void>;
}

/**
 * Creates a run (or returns the one an earlier request with the same Idempotency-Key created) and
 * enqueues it unless it waits for approval. Job payloads carry ids only.
 */
export async function startRun(deps: AppDeps, principal: Principal, spec: NewRun): Promise<Run> {
  if (spec.idempotencyKey) {
    const existing = await deps.db.run.findUnique({
      where: {
        tenantId_idempotencyKey: { tenantId: principal.tenantId, idempotencyKey: spec.idempotencyKey },
      },
    });
    if (existing) {
      if (existing.kind !== spec.kind || (spec.sameRequest && !spec.sameRequest(existing)))
        throw new DollyError('idempotency_conflict', 'This Idempotency-Key was used for another request');
      return existing;
    }
  }
  let run: Run;
  try {
    run = await deps.db.run.create({
      data: {
        tenantId: principal.tenantId,
        kind: spec.kind,
        status: spec.needsApproval ? 'pending_approval' : 'queued',
        requestedById: principal.userId,
        tokenId: principal.tokenId ?? null,
        input: spec.input as object,
        planId: spec.planId ?? null,
        planItemIndex: spec.planItemIndex ?? null,
        parentRunId: spec.parentRunId ?? null,
        recipeId: spec.recipeId ?? null,
        idempotencyKey: spec.idempotencyKey ?? null,
      },
    });
  } catch (error) {
    // Two requests with one key at the same moment: the loser answers with the winner's run.
    if ((error as { code?: string }).code === 'P2002' && spec.idempotencyKey)
      return startRun(deps, principal, spec);
    throw error;
  }
  deps.metrics.runsCreated.inc({ kind: spec.kind });
  await spec.beforeQueue?.(run);
  if (spec.needsApproval) {
    await deps.appendRunEvent(run.id, 'info', 'Waiting for approval: a clone policy requires it', {
      data: { status: 'pending_approval' },
    });
    // Approvers hear about it through the tenant's webhooks; the worker sends, this only enqueues.
    await createRunNotifier(deps.db, deps.queues, {
      backoffMs: deps.config.DOLLY_WEBHOOK_BACKOFF_MS,
    })(run.id, 'pending_approval');
    return run;
  }
  await deps.appendRunEvent(run.id, 'info', `${spec.input.title}: queued`, { data: { status: 'queued' } });
  await deps.queues.enqueue('runs', spec.kind, { runId: run.id, tenantId: principal.tenantId });
  return run;
}

/** Developers act on their own runs; operators and above on every run of the tenant. */
export function assertMayActOn(principal: Principal, run: Run, action: string) {
  if (principal.role !== 'developer' && principal.role !== 'viewer') return;
  if (run.requestedById === principal.userId) return;
  throw new DollyError('forbidden', `Developers can only ${action} runs they started`);
}
