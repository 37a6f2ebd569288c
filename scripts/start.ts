/**
 * `pnpm start`: Postgres and Redis (system binaries, or DATABASE_URL / REDIS_URL), migrations,
 * demo seed, sandbox clouds, API, worker and the web app, on http://localhost:8080 (DOLLY_PORT).
 * Ctrl-C stops everything this command started.
 */
import { join } from 'node:path';
import { demoUsers, DEMO_PASSWORD } from '../apps/api/src/modules/demo/seed.ts';
import { repoRoot } from './lib/paths.ts';
import { ensureServices } from './lib/services.ts';
import { startStack } from './lib/stack.ts';

const port = Number(process.env.DOLLY_PORT ?? 8080);
const services = await ensureServices(repoRoot, undefined, { durable: true });
let stack: Awaited<ReturnType<typeof startStack>> | undefined;
let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping Dolly…');
  await stack?.stop();
  services.stop();
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  stack = await startStack({
    databaseUrl: services.databaseUrl,
    redisUrl: services.redisUrl,
    port,
    sandboxPort: Number(process.env.SANDBOX_PORT ?? 4510),
    sandboxTlsPort: Number(process.env.SANDBOX_TLS_PORT ?? 4511),
    sandboxSpeed: Number(process.env.SANDBOX_SPEED ?? 60),
    sandboxDataDir: process.env.SANDBOX_DATA_DIR ?? join(repoRoot, '.dolly', 'sandbox'),
    queuePrefix: process.env.DOLLY_QUEUE_PREFIX ?? 'dolly',
  });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await stop(1);
}
for (const p of stack?.processes ?? []) {
  p.child.once('exit', (code) => {
    if (!stopping) {
      console.error(`${p.name} exited unexpectedly (${code}); stopping everything`);
      void stop(1);
    }
  });
}
const width = Math.max(...demoUsers.map((u) => u.email.length));
console.log(`
  Dolly is running at ${stack?.url}
  API docs:  ${stack?.url}/api/docs
  Sandbox clouds: ${stack?.sandboxUrl}/_sandbox/accounts

  Demo sign-ins (password "${DEMO_PASSWORD}"):
${demoUsers.map((u) => `    ${u.email.padEnd(width)}  ${u.role} in tenant ${u.tenant}`).join('\n')}

  Press Ctrl-C to stop.
`);
