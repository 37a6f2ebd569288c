import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** Repo root (apps/sandbox/src → ../../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

const EnvSchema = z.object({
  SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(4510),
  SANDBOX_TLS_PORT: z.coerce.number().int().min(0).max(65535).default(4511),
  SANDBOX_HOST: z.string().default('127.0.0.1'),
  SANDBOX_DATA_DIR: z.string().optional(),
  SANDBOX_SPEED: z.coerce.number().positive().default(60),
  /** Milliseconds added before every cloud API answer, like a network round trip. */
  SANDBOX_LATENCY_MS: z.coerce.number().min(0).max(60_000).default(0),
  SANDBOX_SEED: z.enum(['0', '1', 'true', 'false']).default('1'),
  SANDBOX_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface SandboxConfig {
  port: number;
  tlsPort: number;
  host: string;
  dataDir: string;
  speed: number;
  latencyMs: number;
  seed: boolean;
  logLevel: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SandboxConfig {
  const e = EnvSchema.parse(env);
  return {
    port: e.SANDBOX_PORT,
    tlsPort: e.SANDBOX_TLS_PORT,
    host: e.SANDBOX_HOST,
    dataDir: resolve(REPO_ROOT, e.SANDBOX_DATA_DIR ?? '.dolly/sandbox'),
    speed: e.SANDBOX_SPEED,
    latencyMs: e.SANDBOX_LATENCY_MS,
    seed: e.SANDBOX_SEED === '1' || e.SANDBOX_SEED === 'true',
    logLevel: e.SANDBOX_LOG_LEVEL,
  };
}
