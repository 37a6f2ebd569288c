/**
 * `pnpm test`: the whole suite, starting what it needs itself.
 *   1. typecheck and lint
 *   2. unit tests (vitest project `unit`)
 *   3. integration tests against real Postgres and Redis (and in-process sandbox clouds)
 *   4. Playwright e2e in Debian's Chromium against the full stack
 * `--only unit|integration|e2e` runs one stage. Prints one "N passed, N failed" line at the end.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './lib/paths.ts';
import { runOrThrow } from './lib/processes.ts';
import { ensureServices, freshDatabaseUrl } from './lib/services.ts';
import { migrateAndSeed, startStack } from './lib/stack.ts';

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const stages = only ? [only] : ['static', 'unit', 'integration', 'e2e'];
const bin = (name: string) => join(repoRoot, 'node_modules', '.bin', name);
// Parallel checkouts on one machine (several developers or agents) keep apart with these.
const instance = process.env.DOLLY_TEST_INSTANCE ?? '';
const portOffset = Number(process.env.DOLLY_TEST_PORT_OFFSET ?? 0);
// DOLLY_TEST_FILES narrows the unit and integration stages to some test files (space-separated
// vitest filters) while developing; CI never sets it.
const narrow = process.env.DOLLY_TEST_FILES?.split(' ').filter(Boolean) ?? [];
const reports = join(repoRoot, '.dolly', `test-reports${instance}`);
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

const totals = { passed: 0, failed: 0, skipped: 0 };
const failures: string[] = [];

function countVitest(file: string) {
  if (!existsSync(file)) return;
  const r = JSON.parse(readFileSync(file, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
  };
  totals.passed += r.numPassedTests;
  totals.failed += r.numFailedTests;
  totals.skipped += r.numPendingTests + r.numTodoTests;
}

function countPlaywright(file: string) {
  if (!existsSync(file)) return;
  const r = JSON.parse(readFileSync(file, 'utf8')) as {
    stats: { expected: number; unexpected: number; flaky: number; skipped: number };
  };
  totals.passed += r.stats.expected + r.stats.flaky;
  totals.failed += r.stats.unexpected;
  totals.skipped += r.stats.skipped;
}

async function stage(name: string, fn: () => Promise<void> | void) {
  if (!stages.includes(name)) return;
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  try {
    await fn();
    console.log(`=== ${name}: ok in ${((Date.now() - started) / 1000).toFixed(0)} s ===`);
  } catch (error) {
    failures.push(name);
    console.error(`=== ${name}: FAILED: ${error instanceof Error ? error.message : error} ===`);
  }
}

const needsServices = stages.includes('integration') || stages.includes('e2e');
const services = needsServices ? await ensureServices(repoRoot) : undefined;

try {
  await stage('static', () => {
    runOrThrow(bin('prisma'), ['generate'], {}, repoRoot);
    runOrThrow(bin('tsx'), ['scripts/openapi.ts', '--check'], {}, repoRoot);
    runOrThrow(bin('tsc'), ['-p', 'tsconfig.json'], {}, repoRoot);
    runOrThrow(bin('biome'), ['check', '.'], {}, repoRoot);
  });

  await stage('unit', () => {
    const out = join(reports, 'unit.json');
    try {
      runOrThrow(
        bin('vitest'),
        [
          'run',
          '--project',
          'unit',
          '--reporter=default',
          '--reporter=json',
          `--outputFile=${out}`,
          ...narrow,
        ],
        {},
        repoRoot,
      );
    } finally {
      countVitest(out);
    }
  });

  await stage('integration', () => {
    if (!services) throw new Error('services not started');
    const databaseUrl = freshDatabaseUrl(services.databaseUrl, `dolly_test${instance}`);
    migrateAndSeed(databaseUrl);
    const out = join(reports, 'integration.json');
    try {
      runOrThrow(
        bin('vitest'),
        [
          'run',
          '--project',
          'integration',
          '--reporter=default',
          '--reporter=json',
          `--outputFile=${out}`,
          ...narrow,
        ],
        {
          DATABASE_URL: databaseUrl,
          REDIS_URL: services.redisUrl,
          DOLLY_QUEUE_PREFIX: `dolly-test-${process.pid}`,
          // the in-process sandbox clouds answer plain http on loopback
          DOLLY_ENDPOINT_ALLOWLIST: '127.0.0.1,localhost',
          DOLLY_LOG_LEVEL: 'warn',
        },
        repoRoot,
      );
    } finally {
      countVitest(out);
    }
  });

  await stage('e2e', async () => {
    if (!services) throw new Error('services not started');
    const databaseUrl = freshDatabaseUrl(services.databaseUrl, `dolly_e2e${instance}`);
    const logDir = join(reports, 'e2e-logs');
    mkdirSync(logDir, { recursive: true });
    const sandboxDataDir = join(repoRoot, '.dolly', `sandbox-e2e${instance}`);
    rmSync(sandboxDataDir, { recursive: true, force: true });
    const stack = await startStack({
      databaseUrl,
      redisUrl: services.redisUrl,
      port: 18181 + portOffset,
      sandboxPort: 14510 + portOffset,
      sandboxTlsPort: 14511 + portOffset,
      sandboxSpeed: 600,
      sandboxDataDir,
      queuePrefix: `dolly-e2e-${process.pid}`,
      logDir,
    });
    const out = join(reports, 'e2e.json');
    try {
      runOrThrow(
        join(repoRoot, 'e2e', 'node_modules', '.bin', 'playwright'),
        // DOLLY_E2E_FILES narrows the run to some spec files (space-separated filters) while developing.
        ['test', '--config', 'e2e/playwright.config.ts', ...(process.env.DOLLY_E2E_FILES?.split(' ') ?? [])],
        {
          DOLLY_E2E_URL: stack.url,
          DOLLY_E2E_SANDBOX_URL: stack.sandboxUrl,
          PLAYWRIGHT_JSON_OUTPUT_NAME: out,
        },
        repoRoot,
      );
    } finally {
      countPlaywright(out);
      await stack.stop();
    }
  });
} finally {
  services?.stop();
}

console.log(`\nstages failed: ${failures.length ? failures.join(', ') : 'none'}`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failures.length || totals.failed ? 1 : 0);
