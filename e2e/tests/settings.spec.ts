import { readFileSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';
import { signIn, snapshot } from './support.ts';

const sandboxUrl = process.env.DOLLY_E2E_SANDBOX_URL ?? 'http://127.0.0.1:4510';

/** An account the sandbox issues credentials for, as POST /_sandbox/accounts answers. */
interface IssuedAccount {
  id: string;
  endpoints: Record<string, string>;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** A CSRF-carrying API call from the signed-in page, for setting up state the test then reads. */
async function apiAsPage(page: Page, method: 'POST', path: string, data: unknown) {
  const me = (await (await page.request.get('/api/v1/auth/me')).json()) as { csrfToken: string };
  const res = await page.request.fetch(path, { method, data, headers: { 'x-csrf-token': me.csrfToken } });
  expect(res.ok(), `${method} ${path} answered ${res.status()}`).toBe(true);
  return res;
}

test('an admin adds an AWS account, tests it, and its secret is never shown again', async ({ page }) => {
  await signIn(page, 'admin@demo.dolly');
  // A fresh sandbox AWS account (its own scope, no clusters) with credentials the sandbox issued.
  const issuedRes = await page.request.post(`${sandboxUrl}/_sandbox/accounts`, {
    data: { cloud: 'aws', id: '210987654321', displayName: 'E2E settings' },
  });
  expect(issuedRes.ok()).toBe(true);
  const issued = (await issuedRes.json()) as IssuedAccount;
  const secret = issued.credentials.secretAccessKey;

  await page.goto('/settings/accounts');
  await expect(page.getByRole('heading', { name: 'Cloud accounts' })).toBeVisible();
  await expect(page.locator('tr[data-account="Sandbox AWS"]')).toContainText('stored, encrypted');
  await snapshot(page, 'settings-accounts');

  await page.getByRole('button', { name: 'Add account' }).click();
  await expect(page.getByRole('heading', { name: 'Add a cloud account' })).toBeVisible();
  await page.getByLabel('Name', { exact: true }).fill('E2E AWS');
  await page.getByLabel('AWS account id').fill(issued.id);
  // A truncated key id comes back as a field error on the field, from the API's errors[].path.
  await page.getByLabel('Access key id').fill(issued.credentials.accessKeyId.slice(0, 8));
  await page.getByLabel('Secret access key').fill(secret);
  // The roles EKS needs to create clusters, so the connection test reports nothing missing.
  await page.getByLabel('Cluster role ARN').fill(`arn:aws:iam::${issued.id}:role/dolly-eks-cluster`);
  await page.getByLabel('Node role ARN').fill(`arn:aws:iam::${issued.id}:role/dolly-eks-node`);
  await page.getByLabel('Regions to discover').fill('us-east-1');
  // What apply may create in the account is the owner's opt-in, off until ticked.
  const createRoles = page.getByRole('checkbox', { name: /Create missing IAM roles/ });
  await expect(createRoles).not.toBeChecked();
  await createRoles.check();
  await page.getByText('Endpoints and certificates').click();
  await page.getByLabel('Endpoint override').fill(issued.endpoints.eks ?? '');
  await snapshot(page, 'settings-account-add');
  await page.getByRole('button', { name: 'Add account' }).click();
  await expect(page.getByLabel('Access key id')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('Check the field marked below.')).toBeVisible();

  await page.getByLabel('Access key id').fill(issued.credentials.accessKeyId);
  await page.getByRole('button', { name: 'Add account' }).click();
  await expect(page.getByRole('heading', { name: 'E2E AWS' })).toBeVisible();
  await expect(page.getByText('Account added. Its credentials are stored, encrypted.')).toBeVisible();

  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByText(`Connection succeeded as arn:aws:iam::${issued.id}:`)).toBeVisible();
  await expect(page.getByText('missing permissions')).toHaveCount(0);
  await snapshot(page, 'settings-account-detail');

  // Reload: the stored test outcome shows, the secret appears nowhere, and replacing starts empty.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'E2E AWS' })).toBeVisible();
  await expect(page.locator('.st-state', { hasText: /^✓ Connected$/ })).toBeVisible();
  await expect(page.getByTestId('credentials-stored')).toHaveText(/stored, encrypted/);
  expect(await page.content()).not.toContain(secret);
  await page.getByRole('button', { name: 'Replace credentials' }).click();
  await expect(page.getByLabel('Secret access key')).toHaveValue('');
  await page.getByRole('button', { name: 'Cancel' }).click();
  const listed = await (await page.request.get('/api/v1/accounts')).text();
  expect(listed).toContain('E2E AWS');
  expect(listed).not.toContain(secret);
  expect(listed).toContain('"createMissingRoles":true');
  await expect(page.getByRole('checkbox', { name: /Create missing IAM roles/ })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: /Create a VPC when a region has none/ })).not.toBeChecked();

  // Deleting asks for the name first.
  await page.getByRole('button', { name: 'Delete account' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete E2E AWS?' });
  await expect(dialog.getByRole('button', { name: 'Delete account' })).toBeDisabled();
  await dialog.getByLabel('Type E2E AWS to confirm').fill('E2E AWS');
  await dialog.getByRole('button', { name: 'Delete account' }).click();
  await expect(page).toHaveURL(/\/settings\/accounts$/);
  await expect(page.locator('tr[data-account="E2E AWS"]')).toHaveCount(0);
});

test('an admin creates an API token that is shown once, then revokes it', async ({ page, playwright }) => {
  await signIn(page, 'admin@demo.dolly');
  await page.goto('/settings/tokens');
  await expect(page.getByRole('heading', { name: 'API tokens' })).toBeVisible();
  await page.getByLabel('Role').selectOption('developer');
  await page.getByLabel('Expires').selectOption('30');
  // Keyboard only: Enter submits, and focus moves to the one-time secret.
  await page.getByLabel('Token name').fill('e2e-ci');
  await page.getByLabel('Token name').press('Enter');
  await expect(page.getByRole('heading', { name: 'Token “e2e-ci” created' })).toBeFocused();
  const shown = page.getByLabel('Your new API token');
  await expect(shown).toHaveValue(/^dolly_/);
  await expect(page.getByText('will never show it again')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Copy' })).toBeVisible();
  const secret = await shown.inputValue();
  await snapshot(page, 'settings-tokens');

  // The token works on its own, without the browser's session.
  const api = await playwright.request.newContext({
    baseURL: process.env.DOLLY_E2E_URL ?? 'http://localhost:8080',
  });
  const bearer = { authorization: `Bearer ${secret}` };
  expect((await api.get('/api/v1/accounts', { headers: bearer })).status()).toBe(200);

  await page.reload();
  const row = page.locator('tr[data-token="e2e-ci"]');
  await expect(row).toContainText('Active');
  await expect(row).toContainText(secret.slice(0, 12));
  await expect(page.getByLabel('Your new API token')).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);

  await page.getByRole('button', { name: 'Revoke e2e-ci' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke token' }).click();
  await expect(row).toContainText('Revoked');
  expect((await api.get('/api/v1/accounts', { headers: bearer })).status()).toBe(401);
  await api.dispose();
});

test("an admin invites a member, changes the member's role, and cannot grant owner", async ({ page }) => {
  await signIn(page, 'admin@demo.dolly');
  await page.goto('/settings/members');
  await expect(page.getByRole('heading', { name: 'Members and roles' })).toBeVisible();
  // An admin cannot act on the owner, and says so.
  await expect(page.getByRole('button', { name: 'Change role of owner@demo.dolly' })).toBeDisabled();
  await expect(page.getByText('An admin cannot change or remove an owner.').first()).toBeVisible();

  const email = `e2e-member-${Date.now()}@demo.dolly`;
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Role', { exact: true }).selectOption('viewer');
  await page.getByRole('button', { name: 'Invite' }).click();
  await expect(page.getByText(`${email} joined as viewer.`)).toBeVisible();
  await expect(page.getByLabel(`One-time password for ${email}`)).not.toHaveValue('');
  const row = page.locator(`tr[data-member="${email}"]`);
  await expect(row).toContainText('viewer');
  await snapshot(page, 'settings-members');

  await page.getByRole('button', { name: `Change role of ${email}` }).click();
  const dialog = page.getByRole('dialog', { name: `Change the role of ${email}` });
  await expect(dialog.getByRole('radio', { name: /^owner/ })).toBeDisabled();
  await expect(dialog.getByText('Above your own role (admin): you cannot grant it')).toBeVisible();
  await dialog.getByRole('radio', { name: /^developer/ }).check();
  await dialog.getByRole('button', { name: 'Save role' }).click();
  await expect(page.getByText(`${email} is now developer.`)).toBeVisible();
  await expect(row.locator('td').nth(1)).toHaveText('developer');

  await page.getByRole('button', { name: `Remove ${email}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Remove member' }).click();
  await expect(row).toHaveCount(0);
});

test('an admin adds a clone policy and sees requests evaluated against it', async ({ page }) => {
  await signIn(page, 'admin@demo.dolly');
  await page.goto('/settings/policies');
  await expect(page.getByRole('heading', { name: 'Clone policies' })).toBeVisible();
  await expect(page.locator('tbody tr').first()).toContainText('Prod guard');

  await page.getByRole('button', { name: 'Add policy' }).click();
  await page.getByLabel('Name', { exact: true }).fill('e2e no payments copies');
  await page.getByLabel('Priority').fill('5');
  await page.getByRole('radio', { name: 'Deny' }).check();
  await page
    .getByRole('group', { name: 'Source (cloned from)' })
    .getByLabel('Cluster name glob')
    .fill('payments-*');
  await page.getByRole('group', { name: 'Target (cloned into)' }).getByLabel('Environments').fill('staging');
  await snapshot(page, 'settings-policy-editor');
  await page.getByRole('button', { name: 'Add policy' }).click();
  await expect(page).toHaveURL(/\/settings\/policies$/);
  const row = page.locator('tr[data-policy="e2e no payments copies"]');
  await expect(row).toContainText('Deny');
  await expect(row).toContainText('cluster payments-*');

  const from = page.getByRole('group', { name: 'From (source)' });
  const into = page.getByRole('group', { name: 'Into (target)' });
  await page.getByLabel('As role').selectOption('admin');
  await from.getByLabel('Environment').fill('prod');
  await from.getByLabel('Cluster').fill('payments-eu');
  await into.getByLabel('Environment').fill('staging');
  await into.getByLabel('Cluster').fill('payments-copy');
  await page.getByRole('button', { name: 'Evaluate' }).click();
  const decision = page.locator('.st-decision');
  await expect(decision).toContainText('Denied');
  await expect(decision).toContainText('e2e no payments copies');
  await snapshot(page, 'settings-policies');

  // The built-in guard decides before any tenant rule for developers writing into prod.
  await page.getByLabel('As role').selectOption('developer');
  await into.getByLabel('Environment').fill('prod');
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await expect(decision).toContainText('Developers cannot clone into prod');
  await expect(decision).toContainText('the built-in prod guard');

  // Escape backs out of the confirmation; the policy stays until it is confirmed.
  await page.getByRole('button', { name: 'Delete e2e no payments copies' }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(row).toHaveCount(1);
  await page.getByRole('button', { name: 'Delete e2e no payments copies' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete policy' }).click();
  await expect(row).toHaveCount(0);
});

test('an admin filters the audit log through the URL and exports it as JSON lines', async ({ page }) => {
  await signIn(page, 'admin@demo.dolly');
  await apiAsPage(page, 'POST', '/api/v1/tokens', { name: 'audit-probe', role: 'viewer' });
  await page.goto('/settings/audit');
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  await page.getByLabel('Action contains').fill('token.create');
  await page.getByLabel('Outcome').selectOption('success');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/action=token\.create/);
  await expect(page).toHaveURL(/outcome=success/);
  await expect(page.locator('tr[data-action="token.create"]').first()).toContainText('admin@demo.dolly');
  await expect(page.locator('tbody tr:not([data-action="token.create"])')).toHaveCount(0);
  await snapshot(page, 'settings-audit');

  // The filters live in the URL: a reload (or a shared link) shows the same view.
  await page.reload();
  await expect(page.getByLabel('Action contains')).toHaveValue('token.create');
  await expect(page.locator('tr[data-action="token.create"]').first()).toBeVisible();

  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export JSON lines' }).click();
  const file = await (await download).path();
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines)
    expect(JSON.parse(line)).toMatchObject({ action: 'token.create', outcome: 'success' });
});

test('a viewer sees settings read-only, with the reason for every refused action', async ({ page }) => {
  await signIn(page, 'viewer@demo.dolly');
  await page.goto('/settings');
  await expect(page).toHaveURL(/\/settings\/accounts$/);
  await expect(page.getByRole('button', { name: 'Add account' })).toBeDisabled();
  await expect(page.getByText('Viewers cannot manage cloud accounts (owner or admin only).')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Test connection of Sandbox AWS' })).toBeDisabled();
  const nav = page.getByRole('navigation', { name: 'Settings' });
  await expect(nav.getByRole('link')).toHaveText(['Cloud accounts', 'Clone policies']);
  await expect(nav).toContainText('Viewers cannot read the audit log (owner or admin only).');
  await expect(nav).toContainText('Viewers cannot create API tokens');
  await snapshot(page, 'settings-viewer-accounts');

  await nav.getByRole('link', { name: 'Clone policies' }).click();
  await expect(page.getByRole('button', { name: 'Add policy' })).toBeDisabled();
  await expect(
    page.getByText('Viewers cannot manage clone policies (owner or admin only).').first(),
  ).toBeVisible();
  // Reading is allowed, and so is asking whether a request would pass.
  await expect(page.getByRole('button', { name: 'Evaluate' })).toBeEnabled();
  await page.emulateMedia({ colorScheme: 'dark' });
  await snapshot(page, 'settings-viewer-policies-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  await page.goto('/settings/tokens');
  await expect(page.getByRole('heading', { name: 'API tokens' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create token' })).toHaveCount(0);
  await expect(page.locator('.st-content')).toContainText('Viewers cannot create API tokens');
  await snapshot(page, 'settings-viewer-tokens');
});

test('an invited member must choose their own password at first sign-in', async ({ page, browser }) => {
  await signIn(page, 'admin@demo.dolly');
  await page.goto('/settings/members');
  const email = `e2e-first-${Date.now()}@demo.dolly`;
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Role', { exact: true }).selectOption('viewer');
  await page.getByRole('button', { name: 'Invite' }).click();
  const oneTime = await page.getByLabel(`One-time password for ${email}`).inputValue();
  expect(oneTime).not.toBe('');

  const context = await browser.newContext();
  const member = await context.newPage();
  await member.goto('/');
  await member.getByLabel('Email').fill(email);
  await member.getByLabel('Password').fill(oneTime);
  await member.getByRole('button', { name: 'Sign in' }).click();
  await expect(member.getByRole('heading', { name: 'Choose your own password' })).toBeVisible();
  await member.getByLabel('One-time password').fill(oneTime);
  await member.getByLabel('New password (at least 12 characters)').fill('e2e-own-passphrase');
  await member.getByLabel('New password again').fill('e2e-own-passphrase');
  await snapshot(member, 'first-sign-in-password');
  await member.getByRole('button', { name: 'Save password' }).click();
  await expect(member.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await context.close();
});
