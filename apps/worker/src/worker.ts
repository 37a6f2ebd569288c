import { jobPayloadSchema } from '@dolly/contracts';
import type { Database } from '@dolly/db';
import { StepFailedError, createRunEventWriter, createRunLifecycle, createStepRunner } from '@dolly/jobs';
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ProcessorDeps } from './deps.ts';
import { processSelftest } from './processors/selftest.ts';

export interface WorkerOptions {
  db: Database;
  connection: Redis;
  redis: Redis;
  log: Logger;
  prefix: string;
  concurrency: number;
  workerId: string;
}

/** The run queue's processor: one orchestrator job per run, job id = run id. */
export function startRunWorker(opts: WorkerOptions) {
  const appendRunEvent = createRunEventWriter(opts.db, opts.redis);
  const deps: ProcessorDeps = {
    db: opts.db,
    redis: opts.redis,
    appendRunEvent,
    lifecycle: createRunLifecycle(opts.db, appendRunEvent),
    steps: (runId) => createStepRunner(opts.db, appendRunEvent, runId),
    log: opts.log,
    workerId: opts.workerId,
  };
  const worker = new Worker(
    'runs',
    async (job: Job) => {
      const log = opts.log.child({ jobId: job.id, job: job.name });
      switch (job.name) {
        case 'selftest': {
          const payload = jobPayloadSchema('runs', 'selftest').parse(job.data);
          try {
            await processSelftest({ ...deps, log }, payload);
          } catch (error) {
            // A failed step has been recorded; the run fails once BullMQ has no attempts left.
            const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
            if (last) {
              const message = error instanceof StepFailedError ? error.message : String(error);
              await deps.lifecycle.fail(payload.runId, 'system', message);
            }
            throw error;
          }
          return;
        }
        default:
          throw new Error(`unknown job ${job.name}`);
      }
    },
    { connection: opts.connection, prefix: opts.prefix, concurrency: opts.concurrency },
  );
  worker.on('failed', (job, error) => opts.log.warn({ jobId: job?.id, err: error }, 'job attempt failed'));
  return worker;
}
