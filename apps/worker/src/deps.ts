import type { Database } from '@dolly/db';
import type { AppendRunEvent, RunLifecycle, StepRunner } from '@dolly/jobs';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface ProcessorDeps {
  db: Database;
  redis: Redis;
  appendRunEvent: AppendRunEvent;
  lifecycle: RunLifecycle;
  steps(runId: string): StepRunner;
  log: Logger;
  workerId: string;
}
