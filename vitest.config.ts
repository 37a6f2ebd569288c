import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure, no services) and `integration` (real Postgres, Redis and the
// sandbox clouds, started by scripts/test.ts or reused from DATABASE_URL / REDIS_URL).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'scripts/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Integration suites share one database and one sandbox; run files one at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
