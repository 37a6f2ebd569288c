import type { ErrorClass, RunStatus } from '@dolly/contracts';
import type { Database } from '@dolly/db';
import type { AppendRunEvent } from './run-events.ts';

/** Status changes of a run always come with an event, so live views learn about them. */
export function createRunLifecycle(db: Database, appendEvent: AppendRunEvent) {
  return {
    /** `resumedBy` names the worker that picked up a run another one left behind. */
    async start(runId: string, opts: { resumedBy?: string } = {}) {
      const run = await db.run.update({
        where: { id: runId },
        data: { status: 'running', error: undefined },
      });
      if (!run.startedAt) await db.run.update({ where: { id: runId }, data: { startedAt: new Date() } });
      await appendEvent(runId, 'info', opts.resumedBy ? `Run resumed by ${opts.resumedBy}` : 'Run started', {
        data: { status: 'running' },
      });
    },
    async finish(
      runId: string,
      status: Extract<
        RunStatus,
        'succeeded' | 'partially_succeeded' | 'cancelled' | 'rolled_back' | 'rejected'
      >,
      result?: unknown,
    ) {
      // The closing event goes first: readers treat a final status as "every event is written".
      await appendEvent(runId, 'info', `Run ${status.replace('_', ' ')}`, { data: { status } });
      await db.run.update({
        where: { id: runId },
        data: {
          status,
          finishedAt: new Date(),
          ...(result === undefined ? {} : { result: result as object }),
        },
      });
      await appendEvent.notify(runId);
    },
    /** A status change whose event was just written (cancelling, rolled back, ...). */
    async setStatus(runId: string, status: RunStatus, data: { finishedAt?: Date } = {}) {
      await db.run.update({ where: { id: runId }, data: { status, ...data } });
      await appendEvent.notify(runId);
    },
    async fail(runId: string, errorClass: ErrorClass, message: string, detail?: Record<string, unknown>) {
      await appendEvent(runId, 'error', `Run failed: ${message}`, { data: { status: 'failed', errorClass } });
      await db.run.update({
        where: { id: runId },
        data: { status: 'failed', finishedAt: new Date(), errorClass, error: { message, ...detail } },
      });
      await appendEvent.notify(runId);
    },
  };
}

export type RunLifecycle = ReturnType<typeof createRunLifecycle>;
