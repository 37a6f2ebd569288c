/**
 * Brings up Dolly on top of running Postgres and Redis: migrations, demo seed, the sandbox
 * clouds, the web build, API and worker. Shared by `pnpm start` and the e2e tests.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.ts';
import { type Managed, runOrThrow, startProcess, waitForHttp } from './processes.ts';

export interface StackOptions {
  databaseUrl: string;
  redisUrl: string;
  port: number;
  sandboxPort: number;
  sandboxTlsPort: number;
  sandboxSpeed: number;
  sandboxDataDir: string;
  queuePrefix: string;
  /** write process output to files in this folder instead of the terminal */
  logDir?: string;
  buildWeb?: boolean;
  workers?: number;
}

export interface Stack {
  url: string;
  sandboxUrl: string;
  processes: Managed[];
  stop(): Promise<void>;
}

const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');

export function migrateAndSeed(databaseUrl: string, env: NodeJS.ProcessEnv = {}) {
  const prisma = join(repoRoot, 'node_modules', '.bin', 'prisma');
  runOrThrow(prisma, ['migrate', 'deploy'], { DATABASE_URL: databaseUrl }, repoRoot);
  runOrThrow(tsx, [join(repoRoot, 'prisma', 'seed.ts')], { DATABASE_URL: databaseUrl, ...env }, repoRoot);
}

export function buildWeb() {
  const web = join(repoRoot, 'apps', 'web');
  runOrThrow(join(web, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], {}, web);
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const processes: Managed[] = [];
  const log = (name: string) => (opts.logDir ? { logFile: join(opts.logDir, `${name}.log`) } : {});
  const sandboxUrl = `http://127.0.0.1:${opts.sandboxPort}`;
  const stop = async () => {
    await Promise.all([...processes].reverse().map((p) => p.stop()));
  };
  try {
    const sandboxMain = join(repoRoot, 'apps', 'sandbox', 'src', 'main.ts');
    const withSandbox = existsSync(sandboxMain);
    if (withSandbox) {
      processes.push(
        startProcess('sandbox', tsx, [sandboxMain], {
          env: {
            SANDBOX_PORT: String(opts.sandboxPort),
            SANDBOX_TLS_PORT: String(opts.sandboxTlsPort),
            SANDBOX_SPEED: String(opts.sandboxSpeed),
            SANDBOX_DATA_DIR: opts.sandboxDataDir,
          },
          ...log('sandbox'),
        }),
      );
      await waitForHttp(`${sandboxUrl}/_sandbox/healthz`);
    }
    migrateAndSeed(opts.databaseUrl, withSandbox ? { SANDBOX_URL: sandboxUrl } : {});
    if (opts.buildWeb !== false) buildWeb();
    const env = {
      DATABASE_URL: opts.databaseUrl,
      REDIS_URL: opts.redisUrl,
      DOLLY_QUEUE_PREFIX: opts.queuePrefix,
      // The embedded sandbox answers plain http on loopback; tenants may point accounts at it.
      ...(withSandbox
        ? { DOLLY_ENDPOINT_ALLOWLIST: process.env.DOLLY_ENDPOINT_ALLOWLIST ?? '127.0.0.1,localhost' }
        : {}),
    };
    processes.push(
      startProcess('api', tsx, [join(repoRoot, 'apps', 'api', 'src', 'main.ts')], {
        env: {
          ...env,
          DOLLY_PORT: String(opts.port),
          DOLLY_WEB_DIST: join(repoRoot, 'apps', 'web', 'dist'),
          // links and the SSO redirect URI point at this stack, not the default port
          DOLLY_PUBLIC_URL: process.env.DOLLY_PUBLIC_URL ?? `http://localhost:${opts.port}`,
        },
        ...log('api'),
      }),
    );
    for (let i = 0; i < (opts.workers ?? 1); i++) {
      processes.push(
        startProcess(`worker${i ? i + 1 : ''}`, tsx, [join(repoRoot, 'apps', 'worker', 'src', 'main.ts')], {
          env,
          ...log(`worker${i}`),
        }),
      );
    }
    const url = `http://localhost:${opts.port}`;
    await waitForHttp(`${url}/readyz`);
    return { url, sandboxUrl, processes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
