import { expect, test } from '@playwright/test';
import { signIn, snapshot } from './support.ts';

test('a wrong password is refused with a message', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Email').fill('developer@demo.dolly');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong email or password');
  await snapshot(page, 'login');
});

test('a developer runs the self-test and watches it succeed live', async ({ page }) => {
  await signIn(page, 'developer@demo.dolly');
  await snapshot(page, 'overview');
  await page.getByRole('button', { name: 'Run self-test' }).click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  await expect(page.locator('[data-status="succeeded"]')).toBeVisible();
  await expect(page.getByLabel('Steps').getByText('check-database')).toBeVisible();
  await expect(page.getByLabel('Run log')).toContainText('All checks passed');
  await snapshot(page, 'run-selftest');
  // The run page survives a reload: it reads the run back and replays the log.
  await page.reload();
  await expect(page.locator('[data-status="succeeded"]')).toBeVisible();
  await expect(page.getByLabel('Run log')).toContainText('Run succeeded');
});

test('a viewer cannot start a run and is told why', async ({ page }) => {
  await signIn(page, 'viewer@demo.dolly');
  await expect(page.getByRole('button', { name: 'Run self-test' })).toBeDisabled();
  await expect(page.getByText('Viewers cannot start runs.')).toBeVisible();
});

test('the demo tenant has one sandbox account per cloud and the API never returns their secrets', async ({
  page,
}) => {
  await signIn(page, 'admin@demo.dolly');
  const sandbox = process.env.DOLLY_E2E_SANDBOX_URL ?? 'http://127.0.0.1:4510';
  const issued = (await (await page.request.get(`${sandbox}/_sandbox/accounts`)).json()) as {
    credentials: Record<string, unknown>;
  }[];
  const secrets = issued
    .flatMap((a) => [a.credentials.secretAccessKey, a.credentials.clientSecret, a.credentials.private_key])
    .filter((s): s is string => typeof s === 'string');
  expect(secrets.length).toBeGreaterThanOrEqual(3);
  const res = await page.request.get('/api/v1/accounts');
  expect(res.status()).toBe(200);
  const body = await res.text();
  const accounts = (JSON.parse(body) as { items: { cloud: string; credentialKind: string }[] }).items;
  // One Dolly account per sandbox account (AWS account, Azure subscription, GCP project).
  expect([...new Set(accounts.map((a) => a.cloud))].sort()).toEqual(['aws', 'azure', 'gcp']);
  expect(accounts).toHaveLength(issued.length);
  for (const secret of secrets) expect(body).not.toContain(secret);
});
