import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SandboxLogger } from '../src/context.ts';
import { type RunningSandbox, type StartSandboxOptions, startSandbox } from '../src/server.ts';

export const DEMO_AWS_ACCOUNT = '111111111111';

export const quietLogger: SandboxLogger = {
  info: () => {},
  warn: () => {},
  error: (o, m) => console.error('[sandbox error]', o, m ?? ''),
  debug: () => {},
};

export function tempDataDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'dolly-sandbox-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function startTestSandbox(
  opts: Partial<StartSandboxOptions> & { dataDir: string },
): Promise<RunningSandbox> {
  return startSandbox({
    port: 0,
    tlsPort: 0,
    speed: 2000,
    logger: quietLogger,
    tickMs: 20,
    persistDebounceMs: 20,
    ...opts,
  });
}

export interface AwsClientConfig {
  region: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** SDK client config for a sandbox AWS account, taken from GET /_sandbox/accounts like a real user would. */
export async function awsConfig(
  sandbox: RunningSandbox,
  accountId = DEMO_AWS_ACCOUNT,
  region = 'us-east-1',
): Promise<AwsClientConfig> {
  const res = await fetch(`${sandbox.urls.http}/_sandbox/accounts`);
  const accounts = (await res.json()) as {
    cloud: string;
    id: string;
    endpoints: Record<string, string>;
    credentials: { accessKeyId: string; secretAccessKey: string };
  }[];
  const a = accounts.find((x) => x.cloud === 'aws' && x.id === accountId);
  if (!a) throw new Error(`no sandbox AWS account ${accountId}`);
  return {
    region,
    endpoint: a.endpoints.eks as string,
    credentials: { accessKeyId: a.credentials.accessKeyId, secretAccessKey: a.credentials.secretAccessKey },
  };
}

export async function admin(
  sandbox: RunningSandbox,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown; text: string }> {
  const res = await fetch(`${sandbox.urls.http}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

export async function waitFor<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  everyMs = 25,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
