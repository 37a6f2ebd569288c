import type { Database, Run } from '@dolly/db';
import type { Redis } from 'ioredis';
import { publishCancel } from './cancel.ts';
import type { Queues } from './queues.ts';
import type { AppendRunEvent } from './run-events.ts';
import { createRunLifecycle } from './run-lifecycle.ts';

/**
 * Run actions shared by the API (a person's request) and the worker (a parent run acting on its
 * children), so both cancel and retry the same way.
 */
export interface RunControlDeps {
  db: Database;
  redis: Redis;
  queues: Queues;
  appendRunEvent: AppendRunEvent;
}

/**
 * Cancels an unfinished run: a queued or pending one ends at once (compare-and-set: a worker that
 * started it meanwhile gets `cancelling` instead), a running one goes to `cancelling` and the
 * worker holding it aborts. Answers with the run as it is afterwards; a finished run is left alone.
 */
export async function requestCancel(deps: RunControlDeps, run: Run, reason?: string): Promise<Run> {
  const why = reason ? `: ${reason}` : '';
  if (run.status === 'queued' || run.status === 'pending_approval') {
    await deps.queues
      .queue('runs')
      .remove(run.id)
      .catch(() => 0);
    const stopped = await createRunLifecycle(deps.db, deps.appendRunEvent).finish(
      run.id,
      'cancelled',
      undefined,
      { from: [run.status], message: `Run cancelled before it started${why}` },
    );
    if (stopped) return deps.db.run.findUniqueOrThrow({ where: { id: run.id } });
  }
  const moved = await deps.db.run.updateMany({
    where: { id: run.id, status: { in: ['queued', 'running', 'waiting'] } },
    data: { status: 'cancelling' },
  });
  const updated = await deps.db.run.findUniqueOrThrow({ where: { id: run.id } });
  if (moved.count === 0) return updated;
  await deps.appendRunEvent(run.id, 'warn', `Cancel requested${why}`, { data: { status: 'cancelling' } });
  await deps.appendRunEvent.notify(run.id);
  await publishCancel(deps.redis, run.id);
  return updated;
}

/** Steps a retry must run again even though they passed: the world may have changed since. */
export const ALWAYS_RERUN_STEPS: ReadonlySet<string> = new Set(['policy-check', 'validate']);

/** The finished steps of the run being retried become the new run's checkpoints. */
export async function copyFinishedSteps(
  db: Database,
  appendRunEvent: AppendRunEvent,
  fromRunId: string,
  toRunId: string,
  /** a kind's own rule on top: which finished steps are worth keeping */
  keep: (step: { key: string; output: unknown }) => boolean = () => true,
): Promise<void> {
  const done = await db.runStep.findMany({ where: { runId: fromRunId, status: 'succeeded' } });
  const reuse = done.filter((s) => !ALWAYS_RERUN_STEPS.has(s.key) && keep(s));
  if (reuse.length === 0) return;
  await db.runStep.createMany({
    data: reuse.map((s) => ({
      runId: toRunId,
      key: s.key,
      status: s.status,
      attempt: s.attempt,
      output: (s.output ?? undefined) as object | undefined,
      cloudRequestIds: s.cloudRequestIds,
      startedAt: s.startedAt,
      finishedAt: s.finishedAt,
    })),
    skipDuplicates: true,
  });
  await appendRunEvent(toRunId, 'info', `Reusing ${reuse.length} finished step(s) of run ${fromRunId}`, {
    data: { reused: reuse.map((s) => s.key) },
  });
}
