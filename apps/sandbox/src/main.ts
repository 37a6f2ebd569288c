/**
 * Process entry: `tsx apps/sandbox/src/main.ts`.
 * Env: SANDBOX_PORT (4510), SANDBOX_TLS_PORT (4511), SANDBOX_HOST (127.0.0.1), SANDBOX_DATA_DIR
 * (.dolly/sandbox under the repo root), SANDBOX_SPEED (60), SANDBOX_SEED (1; 0 = no demo fleet),
 * SANDBOX_LOG_LEVEL (info).
 */
import { loadConfig } from './config.ts';
import { loadSandboxParts } from './parts.ts';
import { startSandbox } from './server.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const parts = await loadSandboxParts();
  for (const m of parts.missing) console.warn(`[sandbox] not available, continuing without it: ${m}`);
  const sandbox = await startSandbox({
    port: config.port,
    tlsPort: config.tlsPort,
    host: config.host,
    dataDir: config.dataDir,
    speed: config.speed,
    latencyMs: config.latencyMs,
    seed: config.seed,
    logLevel: config.logLevel,
    modules: parts.modules,
    ...(parts.kubeHub ? { kubeHub: parts.kubeHub } : {}),
  });
  const shutdown = (signal: string) => {
    sandbox.ctx.log.info({ signal }, 'sandbox stopping');
    sandbox
      .stop()
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error('[sandbox] failed to start:', err);
  process.exit(1);
});
