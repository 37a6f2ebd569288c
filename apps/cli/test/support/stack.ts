import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerSandboxAccounts } from '../../../api/src/modules/demo/sandbox-accounts.ts';
import { type Harness, login, startHarness } from '../../../api/test/support/harness.ts';
import { startTestSandbox, type TestSandbox } from '../../../../packages/providers/test/support/sandbox.ts';

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** Demo roles that may hold API tokens (viewers cannot create any). */
export type DemoRole = 'owner' | 'admin' | 'operator' | 'developer';

export interface DollyResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface DollyOptions {
  /** Environment on top of the stack's defaults; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  stdin?: string;
  timeoutMs?: number;
}

export interface CliStack {
  url: string;
  harness: Harness;
  sandbox: TestSandbox;
  /** A fresh API token per demo role, created through the API as a user would. */
  tokens: Record<DemoRole, string>;
  /** A temporary directory for config files and plan files. */
  dir: string;
  /** Runs the CLI as a process (node --import tsx apps/cli/src/main.ts), as the developer by default. */
  dolly(args: string[], opts?: DollyOptions): Promise<DollyResult>;
  /** The same, parsing stdout as JSON. */
  dollyJson<T>(args: string[], opts?: DollyOptions): Promise<T>;
  close(): Promise<void>;
}

/**
 * Spawns the CLI asynchronously: the API answering it runs in this very process, so a
 * synchronous spawn would block the server the CLI is waiting for.
 */
export function runDolly(
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: DollyOptions = {},
): Promise<DollyResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/cli/src/main.ts', ...args], {
      cwd: repoRoot,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`dolly ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.stdin ?? '');
  });
}

export async function createToken(h: Harness, email: string, role: DemoRole): Promise<string> {
  const s = await login(h.app, email);
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
    payload: { name: `cli-test-${role}-${Date.now().toString(36)}`, role },
  });
  if (res.statusCode !== 201) throw new Error(`token for ${email}: ${res.statusCode} ${res.body}`);
  return (res.json() as { token: string }).token;
}

/**
 * The whole product on loopback: sandbox clouds, the API listening on a port (the CLI is a
 * separate process), an in-process worker, and the demo tenant's accounts pointed at the sandbox.
 */
export async function startCliStack(opts: { sandboxSpeed?: number } = {}): Promise<CliStack> {
  const sandbox = await startTestSandbox({ speed: opts.sandboxSpeed ?? 3000 });
  const harness = await startHarness();
  const url = (await harness.app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
  const tenant = await harness.db.tenant.findUniqueOrThrow({ where: { slug: 'demo' } });
  await registerSandboxAccounts(harness.db, harness.vault, tenant.id, sandbox.sandbox.urls.http);
  const tokens = {} as Record<DemoRole, string>;
  for (const role of ['owner', 'admin', 'operator', 'developer'] as const)
    tokens[role] = await createToken(harness, `${role}@demo.dolly`, role);
  // EKS needs IAM roles to create anything; an admin sets them on the account as a user would.
  const aws = await harness.db.cloudAccount.findFirstOrThrow({
    where: { tenantId: tenant.id, cloud: 'aws', name: 'Sandbox AWS' },
  });
  const patched = await harness.app.inject({
    method: 'PATCH',
    url: `/api/v1/accounts/${aws.id}`,
    headers: { authorization: `Bearer ${tokens.admin}` },
    payload: {
      settings: {
        ...(aws.settings as Record<string, unknown>),
        clusterRoleArn: `arn:aws:iam::${aws.scope}:role/eks-cluster-role`,
        nodeRoleArn: `arn:aws:iam::${aws.scope}:role/eks-node-role`,
      },
    },
  });
  if (patched.statusCode !== 200) throw new Error(`patch AWS account: ${patched.statusCode} ${patched.body}`);

  const dir = mkdtempSync(join(tmpdir(), 'dolly-cli-test-'));
  const baseEnv = (): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of ['DOLLY_URL', 'DOLLY_TOKEN', 'DOLLY_CONTEXT', 'XDG_CONFIG_HOME', 'FORCE_COLOR'])
      delete env[k];
    return {
      ...env,
      NO_COLOR: '1',
      DOLLY_URL: url,
      DOLLY_TOKEN: tokens.developer,
      DOLLY_CONFIG: join(dir, 'config.yaml'),
    };
  };
  const dolly = (args: string[], o: DollyOptions = {}) => {
    const env = baseEnv();
    for (const [k, v] of Object.entries(o.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    return runDolly(args, env, o);
  };
  return {
    url,
    harness,
    sandbox,
    tokens,
    dir,
    dolly,
    async dollyJson<T>(args: string[], o?: DollyOptions) {
      const r = await dolly([...args, '-o', 'json'], o);
      if (r.code !== 0) throw new Error(`dolly ${args.join(' ')} exited ${r.code}\n${r.stderr}`);
      return JSON.parse(r.stdout) as T;
    },
    async close() {
      await harness.close();
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
