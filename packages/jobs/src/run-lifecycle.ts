import { type ErrorClass, type RunStatus, runStatuses } from '@dolly/contracts';
import type { Database } from '@dolly/db';
import type { AppendRunEvent, RunEventLevel } from './run-events.ts';

const unfinished = (Object.keys(runStatuses) as RunStatus[]).filter((s) => !runStatuses[s].terminal);
/** A worker may (re)start a run only from these: never from cancelling or a final state. */
const startable: RunStatus[] = ['queued', 'running', 'waiting'];

type RunWrite = Parameters<Database['run']['update']>[0]['data'];

/**
 * Status changes of a run always come with an event, so live views learn about them. Each change
 * is a compare-and-set on the current status (the row is locked while its event is written), so a
 * worker that lost a race with a cancel, the sweeper or another worker cannot revive the run.
 */
export function createRunLifecycle(
  db: Database,
  appendEvent: AppendRunEvent,
  hooks: {
    /**
     * Told about every status this lifecycle wrote, after the write committed (notifications). It
     * must not throw: the status is written either way.
     */
    onStatus?: (runId: string, status: RunStatus) => Promise<void>;
  } = {},
) {
  async function transition(
    runId: string,
    to: RunStatus,
    from: readonly RunStatus[],
    data: (current: { startedAt: Date | null }) => RunWrite,
    event?: { level: RunEventLevel; message: string; data: Record<string, unknown> },
  ): Promise<boolean> {
    const changed = await db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ status: RunStatus; startedAt: Date | null }[]>`
        SELECT status, "startedAt" FROM "Run" WHERE id = ${runId}::uuid FOR UPDATE`;
      const row = rows[0];
      if (!row || !from.includes(row.status)) return false;
      // The event goes in with the change: readers treat a final status as "every event is written".
      if (event)
        await tx.runEvent.create({
          data: { runId, level: event.level, message: event.message, data: event.data as object },
        });
      await tx.run.update({ where: { id: runId }, data: data(row) });
      return true;
    });
    if (changed) {
      await appendEvent.notify(runId);
      await hooks.onStatus?.(runId, to);
    }
    return changed;
  }

  return {
    /**
     * `resumedBy` names the worker that picked up a run another one left behind. False when the
     * run is no longer startable (cancelled, cancelling, finished, gone): the caller must stop.
     */
    start(runId: string, opts: { resumedBy?: string } = {}): Promise<boolean> {
      return transition(
        runId,
        'running',
        startable,
        (row) => ({ status: 'running', ...(row.startedAt ? {} : { startedAt: new Date() }) }),
        {
          level: 'info',
          message: opts.resumedBy ? `Run resumed by ${opts.resumedBy}` : 'Run started',
          data: { status: 'running' },
        },
      );
    },
    /** False when the run had already reached a final state: the first outcome stands. */
    finish(
      runId: string,
      status: Extract<
        RunStatus,
        'succeeded' | 'partially_succeeded' | 'cancelled' | 'rolled_back' | 'rejected'
      >,
      result?: unknown,
      opts: { from?: readonly RunStatus[]; message?: string } = {},
    ): Promise<boolean> {
      return transition(
        runId,
        status,
        opts.from ?? unfinished,
        () => ({
          status,
          finishedAt: new Date(),
          ...(result === undefined ? {} : { result: result as object }),
        }),
        { level: 'info', message: opts.message ?? `Run ${status.replace('_', ' ')}`, data: { status } },
      );
    },
    /** A status change whose event was just written (cancelling, rolled back, ...). */
    async setStatus(
      runId: string,
      status: RunStatus,
      data: { finishedAt?: Date } = {},
      opts: { restored?: boolean } = {},
    ) {
      await db.run.update({ where: { id: runId }, data: { status, ...data } });
      await appendEvent.notify(runId);
      // A status put back (a failed rollback restoring `succeeded`) is not news: nothing happened.
      if (!opts.restored) await hooks.onStatus?.(runId, status);
    },
    fail(
      runId: string,
      errorClass: ErrorClass,
      message: string,
      detail?: Record<string, unknown>,
      opts: { from?: readonly RunStatus[] } = {},
    ): Promise<boolean> {
      return transition(
        runId,
        'failed',
        opts.from ?? unfinished,
        () => ({ status: 'failed', finishedAt: new Date(), errorClass, error: { message, ...detail } }),
        { level: 'error', message: `Run failed: ${message}`, data: { status: 'failed', errorClass } },
      );
    },
  };
}

export type RunLifecycle = ReturnType<typeof createRunLifecycle>;
