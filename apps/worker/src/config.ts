import { z } from 'zod';

export const workerConfigSchema = z.object({
  DATABASE_URL: z.string().startsWith('postgres', 'must be a postgresql:// URL'),
  REDIS_URL: z.string().startsWith('redis', 'must be a redis:// URL'),
  DOLLY_QUEUE_PREFIX: z.string().default('dolly'),
  DOLLY_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DOLLY_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(8),
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
