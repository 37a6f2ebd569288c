import { type EgressPolicy, egressPolicyFromEnv } from '@dolly/contracts/egress';
import { jobPayloadSchema, stepOperation } from '@dolly/contracts';
import type { CredentialVault, Database } from '@dolly/db';
import {
  attemptDelivery,
  createAccountLimiter,
  createRunNotifier,
  PermanentDeliveryError,
  WEBHOOK_BACKOFF_MS,
  createCancelRegistry,
  createCloudAccess,
  createQueues,
  createRunEventWriter,
  createRunLifecycle,
  createStepRunner,
  createWorkSlots,
  createTenantLimiter,
} from '@dolly/jobs';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ProcessorDeps } from './deps.ts';
import { type WorkerMetrics, createWorkerMetrics, observeCloudCall } from './metrics.ts';
import { processClone } from './processors/clone.ts';
import { workloadDriftSchedule } from './processors/drift.ts';
import { processEnvironment } from './processors/environment.ts';
import { processMigrate } from './processors/migrate.ts';
import { processRollback } from './processors/rollback.ts';
import { processScheduledRecipe, reconcileRecipeSchedules } from './processors/scheduled-recipe.ts';
import { processScheduledSync, reconcileSyncSchedules } from './processors/scheduled-sync.ts';
import { processSelftest } from './processors/selftest.ts';
import { processSync } from './processors/sync.ts';
import { executeRun } from './run-guard.ts';
import { createRunSweeper } from './run-sweeper.ts';

export interface WorkerOptions {
  db: Database;
  connection: Redis;
  redis: Redis;
  /** A connection of its own: a subscribed ioredis client can do nothing else. */
  subscriber: Redis;
  vault: CredentialVault;
  log: Logger;
  prefix: string;
  /** Run steps working at once (work slots); a step waiting on a cloud gives its slot back. */
  concurrency: number;
  /** Runs this worker holds at once (BullMQ concurrency), most of them waiting; default 8 × concurrency. */
  runsInFlight?: number;
  /** Runs of one tenant running at once across every worker sharing this prefix; 0 or unset: unlimited. */
  tenantConcurrency?: number;
  /** Fallback re-check of a run waiting for its tenant's limit (a freed slot wakes it sooner). */
  tenantRecheckMs?: number;
  workerId: string;
  pollIntervalMs?: number;
  cloudTimeoutMs?: number;
  accountCallsPerSecond?: number;
  /** where cloud and cluster connections may go; defaults to this process's DOLLY_ENDPOINT_ALLOWLIST */
  egress?: EgressPolicy;
  /** tenant slugs allowed the host's own identity; defaults to this process's DOLLY_HOST_IDENTITY_TENANTS */
  hostIdentityTenants?: readonly string[];
  syncIntervalMinutes?: number;
  stalledMs?: number;
  /** How often the run sweeper runs (and how old a run must be to be swept); 0 or unset: never. */
  sweepMs?: number;
  metrics?: WorkerMetrics;
  /** The dashboard's address, for run links in notifications (DOLLY_PUBLIC_URL). */
  publicUrl?: string;
  /** First retry delay of a webhook delivery; each further one doubles it. */
  webhookBackoffMs?: number;
  /** How often the schedule compares a clone's workloads again (minutes); 0: at every sync. */
  workloadDriftIntervalMinutes?: number;
}

/** The run queue's processor: one orchestrator job per run, job id = run id. */
export async function startRunWorker(opts: WorkerOptions) {
  const appendRunEvent = createRunEventWriter(opts.db, opts.redis);
  const metrics = opts.metrics ?? createWorkerMetrics();
  const cancels = await createCancelRegistry(opts.subscriber);
  const queues = createQueues(opts.redis, opts.prefix);
  const runKinds = new Map<string, { kind: string; cloud: string }>();
  const webhookBackoffMs = opts.webhookBackoffMs ?? WEBHOOK_BACKOFF_MS;
  const notifyRunStatus = createRunNotifier(opts.db, queues, {
    backoffMs: webhookBackoffMs,
    onError: (err, runId) => opts.log.warn({ err, runId }, 'could not queue run notifications'),
  });
  const slots = createWorkSlots(opts.concurrency);
  const workloadDriftDue = workloadDriftSchedule(
    opts.redis,
    opts.prefix,
    (opts.workloadDriftIntervalMinutes ?? 360) * 60_000,
  );
  const deps: ProcessorDeps = {
    db: opts.db,
    redis: opts.redis,
    appendRunEvent,
    lifecycle: createRunLifecycle(opts.db, appendRunEvent, { onStatus: notifyRunStatus }),
    steps: (runId, signal) =>
      createStepRunner(opts.db, appendRunEvent, runId, {
        ...(signal ? { signal } : {}),
        owner: opts.workerId,
        // A step claim outlives its worker as long as the queue lock does, no longer.
        leaseMs: opts.stalledMs ?? 30_000,
        slots,
        onStepFinished: (key, ms, ok) => {
          const labels = runKinds.get(runId) ?? { kind: 'unknown', cloud: 'none' };
          metrics.stepDuration.observe(
            { ...labels, operation: stepOperation(key), outcome: ok ? 'succeeded' : 'failed' },
            ms / 1000,
          );
        },
      }),
    cloud: createCloudAccess(opts.db, opts.vault, {
      limiter: createAccountLimiter(opts.redis, {
        callsPerSecond: opts.accountCallsPerSecond ?? 20,
        keyPrefix: `${opts.prefix}:account-rate`,
      }),
      observe: (call) => observeCloudCall(metrics, call),
      ...(opts.egress ? { egress: opts.egress } : {}),
      ...(opts.hostIdentityTenants ? { hostIdentityTenants: opts.hostIdentityTenants } : {}),
    }),
    cancels,
    metrics,
    queues,
    log: opts.log,
    workerId: opts.workerId,
    pollIntervalMs: opts.pollIntervalMs ?? 5000,
    webhookBackoffMs,
    ...(workloadDriftDue ? { workloadDriftDue } : {}),
    cloudTimeoutMs: opts.cloudTimeoutMs ?? 60 * 60 * 1000,
    ...(opts.tenantConcurrency
      ? {
          tenantSlots: createTenantLimiter(opts.redis, {
            limit: opts.tenantConcurrency,
            // A crashed worker's slots free up about when its jobs are re-delivered.
            leaseMs: opts.stalledMs ?? 30_000,
            keyPrefix: `${opts.prefix}:tenant-slots`,
            onLeaseLost: (tenantId, runId) =>
              opts.log.warn({ tenantId, runId }, 'tenant slot lease lost; the run continues'),
          }),
          tenantRecheckMs: opts.tenantRecheckMs ?? 5000,
        }
      : {}),
  };

  const runJob = async (job: Job, kind: string, token?: string) => {
    const { runId, tenantId } = jobPayloadSchema('runs', 'selftest').parse(job.data);
    await executeRun(
      { ...deps, log: opts.log.child({ runId, tenantId, job: job.name }) },
      job,
      runId,
      async (run, signal) => {
        runKinds.set(runId, { kind, cloud: runCloud(run.input) });
        try {
          switch (kind) {
            case 'selftest':
              return await processSelftest(deps, run);
            case 'sync':
              return await processSync(deps, run, signal);
            case 'clone':
              return await processClone(deps, run, signal);
            case 'rollback':
              return await processRollback(deps, run, signal);
            case 'migrate':
              return await processMigrate(deps, run, signal);
            case 'environment':
              return await processEnvironment(deps, run, signal);
          }
        } finally {
          runKinds.delete(runId);
        }
      },
      token,
    );
  };

  const worker = new Worker(
    'runs',
    async (job: Job, token?: string) => {
      switch (job.name) {
        case 'selftest':
        case 'sync':
        case 'clone':
        case 'rollback':
        case 'migrate':
        case 'environment':
          return runJob(job, job.name, token);
        case 'scheduled-sync': {
          const { tenantId } = jobPayloadSchema('runs', 'scheduled-sync').parse(job.data);
          return processScheduledSync(deps, tenantId);
        }
        case 'scheduled-recipe': {
          const { tenantId, recipeId } = jobPayloadSchema('runs', 'scheduled-recipe').parse(job.data);
          return processScheduledRecipe(deps, tenantId, recipeId);
        }
        default:
          throw new Error(`unknown job ${job.name}`);
      }
    },
    {
      connection: opts.connection,
      prefix: opts.prefix,
      concurrency: opts.runsInFlight ?? opts.concurrency * 8,
      lockDuration: opts.stalledMs ?? 30_000,
      stalledInterval: opts.stalledMs ?? 30_000,
      maxStalledCount: 5,
    },
  );
  worker.on('failed', (job, error) => {
    // A run that failed for good is recorded on the run; only attempts that will be retried are news.
    if (error instanceof UnrecoverableError)
      opts.log.info({ jobId: job?.id, reason: error.message }, 'run failed');
    else opts.log.warn({ jobId: job?.id, err: error }, 'job attempt failed; retrying');
  });

  // Webhook deliveries: their own queue, so a slow receiver never holds a run slot.
  const delivery = {
    db: opts.db,
    vault: opts.vault,
    egress: opts.egress ?? egressPolicyFromEnv(),
    publicUrl: opts.publicUrl ?? 'http://localhost:8080',
  };
  const webhookWorker = new Worker(
    'webhooks',
    async (job: Job) => {
      const { deliveryId } = jobPayloadSchema('webhooks', 'deliver').parse(job.data);
      const backoff = job.opts.backoff;
      const backoffMs = typeof backoff === 'number' ? backoff : (backoff?.delay ?? webhookBackoffMs);
      let result: Awaited<ReturnType<typeof attemptDelivery>>;
      try {
        result = await attemptDelivery(delivery, {
          deliveryId,
          attemptsMade: job.attemptsMade,
          maxAttempts: job.opts.attempts ?? 1,
          backoffMs,
        });
      } catch (error) {
        if (error instanceof PermanentDeliveryError) throw new UnrecoverableError(error.message);
        throw error;
      }
      if (result.ok) return;
      const message = result.error ?? 'delivery failed';
      throw result.retryable ? new Error(message) : new UnrecoverableError(message);
    },
    { connection: opts.connection, prefix: opts.prefix, concurrency: 4 },
  );
  webhookWorker.on('failed', (job, error) =>
    opts.log.info({ jobId: job?.id, reason: error.message }, 'webhook delivery attempt failed'),
  );

  let schedules: NodeJS.Timeout | undefined;
  const interval = opts.syncIntervalMinutes ?? 0;
  const reconcile = () =>
    reconcileSyncSchedules(deps, interval).catch((err: unknown) =>
      opts.log.warn({ err }, 'could not reconcile sync schedules'),
    );
  await reconcile();
  // Recipes' schedulers follow their rows (the API keeps them in step; this repairs a lost one).
  await reconcileRecipeSchedules(deps).catch((err: unknown) =>
    opts.log.warn({ err }, 'could not reconcile recipe schedules'),
  );
  // New tenants and accounts get their schedule without a worker restart.
  schedules = setInterval(reconcile, 5 * 60_000);
  schedules.unref();

  // Row and job must never exist without each other; a lock keeps one sweep at a time across workers.
  const sweepMs = opts.sweepMs ?? 0;
  const sweep = createRunSweeper(
    { ...deps, prefix: opts.prefix, webhookBackoffMs },
    { graceMs: sweepMs, periodMs: sweepMs },
  );
  const sweeper = setInterval(() => {
    if (sweepMs > 0) sweep().catch((err: unknown) => opts.log.warn({ err }, 'run sweep failed'));
  }, sweepMs || 60_000);
  sweeper.unref();

  return {
    worker,
    metrics,
    sweep,
    waitUntilReady: () => Promise.all([worker.waitUntilReady(), webhookWorker.waitUntilReady()]),
    async close() {
      clearInterval(schedules);
      clearInterval(sweeper);
      await worker.close();
      await webhookWorker.close();
      await cancels.close();
      await queues.close();
    },
  };
}

export type RunWorker = Awaited<ReturnType<typeof startRunWorker>>;

/** The cloud a run talks to, for metric labels: a clone's target cloud, else none. */
function runCloud(input: unknown): string {
  const target = (input as { item?: { target?: { cloud?: unknown } } } | null)?.item?.target?.cloud;
  return typeof target === 'string' ? target : 'none';
}
