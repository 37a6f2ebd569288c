import { redisUrlSchema } from '@dolly/contracts';
import { z } from 'zod';

export const workerConfigSchema = z.object({
  DATABASE_URL: z.string().startsWith('postgres', 'must be a postgresql:// URL'),
  REDIS_URL: redisUrlSchema,
  DOLLY_QUEUE_PREFIX: z.string().default('dolly'),
  DOLLY_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Run steps one worker works on at once; a step waiting on a cloud does not count. */
  DOLLY_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(8),
  /** Runs one worker holds at once, most of them waiting on a cloud. */
  DOLLY_WORKER_RUNS_IN_FLIGHT: z.coerce.number().int().min(1).max(1000).default(64),
  /** Runs of one tenant running at once across every worker (Redis); 0 = unlimited. */
  DOLLY_TENANT_CONCURRENCY: z.coerce.number().int().min(0).max(10_000).default(20),
  /** How often long cloud operations are polled (the sandbox at high speed wants it short). */
  DOLLY_POLL_INTERVAL_MS: z.coerce.number().int().min(10).default(5000),
  DOLLY_CLOUD_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(60 * 60 * 1000),
  /** Token bucket per cloud account shared by every worker (Redis). */
  DOLLY_ACCOUNT_CALLS_PER_SECOND: z.coerce.number().int().min(1).default(20),
  /** Scheduled inventory sync per tenant; 0 turns it off. */
  DOLLY_SYNC_INTERVAL_MINUTES: z.coerce.number().min(0).default(15),
  /** Prometheus metrics of the worker on this port; 0 turns the listener off. */
  DOLLY_WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  // empty (as docker-compose passes an unset variable) means none
  DOLLY_METRICS_TOKEN: z
    .union([z.literal('').transform(() => undefined), z.string().min(16, 'must be at least 16 characters')])
    .optional(),
  /** A run whose worker died is picked up by another after about this long. */
  DOLLY_WORKER_STALLED_MS: z.coerce.number().int().min(500).default(30_000),
  DOLLY_ENDPOINT_ALLOWLIST: z
    .string()
    .default('')
    .describe(
      'Hosts, .suffixes or CIDRs on internal addresses Dolly may connect to (a sandbox, a LAN cloud)',
    ),
  /** Tenant slugs whose accounts may use the host's own identity; checked again at every cloud call. */
  DOLLY_HOST_IDENTITY_TENANTS: z.string().default(''),
  /** Re-enqueues queued runs without a job and fails unfinished runs whose job is gone; 0 turns it off. */
  DOLLY_RUN_SWEEP_MS: z.coerce.number().int().min(0).default(60_000),
  /** The dashboard's address as people open it: run links in notifications point there. */
  DOLLY_PUBLIC_URL: z.url().default('http://localhost:8080'),
  /** First retry delay of a webhook delivery; each further one doubles it (6 attempts). */
  DOLLY_WEBHOOK_BACKOFF_MS: z.coerce.number().int().min(10).default(10_000),
  /** How often a scheduled sync compares a clone's workloads again (each reads both clusters); 0: every sync. */
  DOLLY_WORKLOAD_DRIFT_INTERVAL_MINUTES: z.coerce.number().min(0).default(360),
});
export type WorkerConfig = z.infer<typeof workerConfigSchema>;

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const parsed = workerConfigSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `Invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  }
  return parsed.data;
}
