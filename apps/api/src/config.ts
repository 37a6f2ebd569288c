import { redisUrlSchema } from '@dolly/contracts';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => ['true', '1', 'yes'].includes(v));

/** Every environment variable the API and worker read; .env.example lists the same. */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DOLLY_HOST: z.string().default('0.0.0.0'),
  DOLLY_PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  DATABASE_URL: z.string().startsWith('postgres', 'must be a postgresql:// URL'),
  REDIS_URL: redisUrlSchema,
  DOLLY_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DOLLY_QUEUE_PREFIX: z.string().default('dolly'),
  DOLLY_WEB_DIST: z.string().optional().describe('Folder of the built web app to serve at /'),
  DOLLY_COOKIE_SECURE: bool.default(false),
  DOLLY_SESSION_TTL_HOURS: z.coerce.number().positive().default(12),
  DOLLY_LOGIN_RATE_LIMIT: z.coerce.number().int().positive().default(10),
});

export type Config = z.infer<typeof configSchema>;

/** Fails at start with every bad variable named, never later at first use. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
