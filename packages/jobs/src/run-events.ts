import type { RunEventDto } from '@dolly/contracts';
import type { Database } from '@dolly/db';
import type { Redis } from 'ioredis';

export type RunEventLevel = 'debug' | 'info' | 'warn' | 'error';

export function runEventChannel(runId: string) {
  return `dolly:run-events:${runId}`;
}

/** A row of RunEvent as every front door sees it (the bigint id as a string, dates ISO). */
export function toRunEventDto(row: {
  id: bigint;
  runId: string;
  level: string;
  stepKey: string | null;
  message: string;
  data: unknown;
  createdAt: Date;
}): RunEventDto {
  return {
    id: row.id.toString(),
    runId: row.runId,
    level: row.level as RunEventLevel,
    stepKey: row.stepKey,
    message: row.message,
    ...(row.data === null || row.data === undefined ? {} : { data: row.data }),
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * Postgres is the source of truth for run events (append-only, monotonic ids); Redis pub/sub only
 * tells live listeners that something was appended, so a missed message is never a lost event.
 */
export function createRunEventWriter(db: Database, publisher: Redis) {
  const appendRunEvent = async function appendRunEvent(
    runId: string,
    level: RunEventLevel,
    message: string,
    opts: { stepKey?: string; data?: unknown } = {},
  ): Promise<RunEventDto> {
    const row = await db.runEvent.create({
      data: {
        runId,
        level,
        message,
        stepKey: opts.stepKey ?? null,
        ...(opts.data === undefined ? {} : { data: opts.data as object }),
      },
    });
    const dto = toRunEventDto(row);
    await publisher.publish(runEventChannel(runId), JSON.stringify(dto));
    return dto;
  };
  return Object.assign(appendRunEvent, {
    /**
     * Wakes live streams after a status change that follows its event: a stream that read the
     * status just before the change would otherwise wait for an event that never comes.
     */
    async notify(runId: string): Promise<void> {
      await publisher.publish(runEventChannel(runId), '{}');
    },
  });
}

export type AppendRunEvent = ReturnType<typeof createRunEventWriter>;
