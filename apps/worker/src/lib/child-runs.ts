import { type ErrorClass, isTerminalStatus } from '@dolly/contracts';
import type { Run } from '@dolly/db';
import { abortableDelay, copyFinishedSteps, requestCancel, RunCancelledError } from '@dolly/jobs';
import type { ProcessorDeps } from '../deps.ts';
import { ChildRunError } from '../run-guard.ts';

type ChildKind = 'clone' | 'migrate' | 'rollback';

export interface ChildSpec {
  kind: ChildKind;
  /** the child's Idempotency-Key: one child per parent and step, also after a re-delivery */
  key: string;
  input: Record<string, unknown> & { title: string };
  /** the run it belongs to: the parent, or (a retry) the child it retries, or (a rollback) the run it undoes */
  parentRunId: string;
  planId?: string | null;
  planItemIndex?: number | null;
  /** a retry: this run's finished steps become the child's checkpoints */
  copyStepsFrom?: string;
}

/**
 * Creates the child a parent run stands on (or finds the one an earlier delivery created) and
 * queues it. The child acts for the parent's requester, carries the parent's approval, and runs
 * its own admission when it starts.
 */
export async function startChildRun(deps: ProcessorDeps, parent: Run, spec: ChildSpec): Promise<Run> {
  const where = { tenantId_idempotencyKey: { tenantId: parent.tenantId, idempotencyKey: spec.key } };
  let child = await deps.db.run.findUnique({ where });
  if (!child) {
    try {
      child = await deps.db.run.create({
        data: {
          tenantId: parent.tenantId,
          kind: spec.kind,
          status: 'queued',
          requestedById: parent.requestedById,
          tokenId: parent.tokenId,
          approvedById: parent.approvedById,
          approvedAt: parent.approvedAt,
          input: spec.input as object,
          planId: spec.planId ?? null,
          planItemIndex: spec.planItemIndex ?? null,
          parentRunId: spec.parentRunId,
          idempotencyKey: spec.key,
        },
      });
    } catch (error) {
      // two deliveries of the parent at once: the loser waits on the winner's child
      if ((error as { code?: string }).code !== 'P2002') throw error;
      child = await deps.db.run.findUniqueOrThrow({ where });
    }
    if (spec.copyStepsFrom)
      await copyFinishedSteps(deps.db, deps.appendRunEvent, spec.copyStepsFrom, child.id);
    await deps.appendRunEvent(child.id, 'info', `${spec.input.title}: queued (for run ${parent.id})`, {
      data: { status: 'queued', parentRunId: parent.id },
    });
    await deps.appendRunEvent(parent.id, 'info', `Started ${spec.kind} run ${child.id}`, {
      data: { childRunId: child.id, childKind: spec.kind },
    });
  }
  // Queued again on every delivery: the job id is the run id, so a job that exists stays the one.
  if (child.status === 'queued')
    await deps.queues.enqueue('runs', spec.kind, { runId: child.id, tenantId: parent.tenantId });
  return child;
}

/**
 * Waits (polling the database) until the child reaches a final state. A cancelled parent cancels
 * the child it waits on before it stops.
 */
export async function waitForChild(deps: ProcessorDeps, child: Run, signal: AbortSignal): Promise<Run> {
  for (;;) {
    const now = await deps.db.run.findUniqueOrThrow({ where: { id: child.id } });
    if (isTerminalStatus(now.status)) return now;
    try {
      await abortableDelay(Math.max(deps.pollIntervalMs, 20), signal);
    } catch (error) {
      await requestCancel(deps, now, 'the run it belongs to was cancelled').catch((err: unknown) =>
        deps.log.warn({ err, runId: child.id }, 'could not cancel a child run'),
      );
      throw signal.aborted ? new RunCancelledError(child.id) : error;
    }
  }
}

/** A child that did not succeed ends its parent with the child's error class and message. */
export function childFailed(child: Run, what: string): ChildRunError {
  const message = (child.error as { message?: string } | null)?.message;
  return new ChildRunError(
    `${what} run ${child.id} ended ${child.status.replace('_', ' ')}${message ? `: ${message}` : ''}`,
    (child.errorClass as ErrorClass | null) ?? 'system',
  );
}
