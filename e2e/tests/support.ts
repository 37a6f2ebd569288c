import { type Page, expect, request } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEMO_PASSWORD = 'dolly-demo';
export const artifacts = join(dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');

export async function signIn(page: Page, email: string) {
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
}

/** Screenshots of the main pages are kept as test artifacts (e2e/artifacts). */
export async function snapshot(page: Page, name: string) {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

export const sandboxUrl = process.env.DOLLY_E2E_SANDBOX_URL ?? 'http://127.0.0.1:4510';
const baseURL = process.env.DOLLY_E2E_URL ?? 'http://localhost:8080';

/** A signed-in API session for setting things up (the UI is what the tests check). */
export interface ApiSession {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, data?: unknown, headers?: Record<string, string>): Promise<T>;
  cookies(): Promise<{ name: string; value: string; domain: string; path: string }[]>;
}

const sessions = new Map<string, Promise<ApiSession>>();

/**
 * One API session per user and test worker: sign-ins are rate limited, so tests that only need
 * to be signed in reuse it (and `openAs` hands its cookie to the browser).
 */
export function apiAs(email: string): Promise<ApiSession> {
  let session = sessions.get(email);
  if (!session) {
    session = createApiSession(email);
    sessions.set(email, session);
    session.catch(() => sessions.delete(email));
  }
  return session;
}

async function createApiSession(email: string): Promise<ApiSession> {
  const ctx = await request.newContext({ baseURL });
  let login = await ctx.post('/api/v1/auth/login', { data: { email, password: DEMO_PASSWORD } });
  if (login.status() === 429) {
    // "retry in N seconds": wait once rather than fail the whole file.
    const seconds = Number(/retry in (\d+) seconds/.exec(await login.text())?.[1] ?? 30);
    await new Promise((r) => setTimeout(r, Math.min(seconds + 1, 61) * 1000));
    login = await ctx.post('/api/v1/auth/login', { data: { email, password: DEMO_PASSWORD } });
  }
  if (!login.ok()) throw new Error(`login as ${email}: ${login.status()} ${await login.text()}`);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const check = async <T>(res: Awaited<ReturnType<typeof ctx.get>>, what: string): Promise<T> => {
    if (!res.ok()) throw new Error(`${what}: ${res.status()} ${await res.text()}`);
    return (await res.json()) as T;
  };
  return {
    get: async <T>(path: string) => check<T>(await ctx.get(path), `GET ${path}`),
    post: async <T>(path: string, data: unknown = {}, headers: Record<string, string> = {}) =>
      check<T>(
        await ctx.post(path, { data, headers: { 'x-csrf-token': csrfToken, ...headers } }),
        `POST ${path}`,
      ),
    cookies: async () => (await ctx.storageState()).cookies,
  };
}

/** Opens the dashboard signed in as `email` without going through the sign-in form. */
export async function openAs(page: Page, email: string, path = '/') {
  const api = await apiAs(email);
  await page.context().addCookies(await api.cookies());
  await page.goto(path);
  if (path === '/') await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
}

interface RunLike {
  id: string;
  status: string;
}
const terminal = ['succeeded', 'failed', 'cancelled', 'partially_succeeded', 'rolled_back', 'rejected'];

export async function waitForRun(api: ApiSession, runId: string, timeoutMs = 90_000): Promise<RunLike> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const run = await api.get<RunLike>(`/api/v1/runs/${runId}`);
    if (terminal.includes(run.status)) return run;
    if (Date.now() > until) throw new Error(`run ${runId} still ${run.status}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export interface ClusterRow {
  id: string;
  name: string;
  cloud: string;
  scope: string;
  accountId: string;
  accountName: string;
  environment: string | null;
}

/** Syncs the demo tenant's inventory (as an operator) and returns its clusters. */
export async function syncInventory(): Promise<ClusterRow[]> {
  const api = await apiAs('operator@demo.dolly');
  const run = await api.post<RunLike>('/api/v1/inventory/sync');
  const done = await waitForRun(api, run.id);
  expect(done.status).toBe('succeeded');
  return (await api.get<{ items: ClusterRow[] }>('/api/v1/clusters?limit=1000')).items;
}

/** The sandbox's speed factor: lower it to make cloud operations slow enough to cancel. */
export async function setSandboxSpeed(speed: number) {
  const res = await fetch(`${sandboxUrl}/_sandbox/config`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ speed }),
  });
  if (!res.ok) throw new Error(`sandbox speed: ${res.status}`);
  return ((await res.json()) as { speed: number }).speed;
}

export async function sandboxSpeed(): Promise<number> {
  return ((await (await fetch(`${sandboxUrl}/_sandbox/config`)).json()) as { speed: number }).speed;
}
