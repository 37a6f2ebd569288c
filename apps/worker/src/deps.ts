import type { Database } from '@dolly/db';
import type {
  AppendRunEvent,
  CancelRegistry,
  CloudAccess,
  Queues,
  RunLifecycle,
  StepRunner,
  TenantLimiter,
} from '@dolly/jobs';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { WorkerMetrics } from './metrics.ts';

export interface ProcessorDeps {
  db: Database;
  redis: Redis;
  appendRunEvent: AppendRunEvent;
  lifecycle: RunLifecycle;
  /** Steps of a run; a cancelled signal stops before the next step starts. */
  steps(runId: string, signal?: AbortSignal): StepRunner;
  cloud: CloudAccess;
  cancels: CancelRegistry;
  metrics: WorkerMetrics;
  /** For processors that start other runs (scheduled syncs). */
  queues: Queues;
  log: Logger;
  workerId: string;
  pollIntervalMs: number;
  cloudTimeoutMs: number;
  /** Per-tenant cap on running runs across every worker; absent = unlimited. */
  tenantSlots?: TenantLimiter;
  /** How long a run put back by the tenant limit waits before it checks again (a freed slot wakes it sooner). */
  tenantRecheckMs?: number;
  /** First retry delay of a webhook delivery queued by a processor (drift notifications). */
  webhookBackoffMs?: number;
  /** Whether the schedule compares a clone's workloads at this sync; absent: at every sync. */
  workloadDriftDue?: (clusterId: string) => Promise<boolean>;
}
