import { expect, test } from '@playwright/test';
import { type ClusterRow, openAs, snapshot, syncInventory } from './support.ts';

let inventory: ClusterRow[] = [];

test.beforeAll(async () => {
  inventory = await syncInventory();
});

function find(cloud: string, name: string, scope?: string): ClusterRow {
  const c = inventory.find((x) => x.cloud === cloud && x.name === name && (!scope || x.scope === scope));
  if (!c) throw new Error(`${cloud} ${name} is not in the inventory: ${inventory.map((x) => x.name)}`);
  return c;
}

test('an operator saves a nightly recipe, runs it now and sees the run succeed', async ({ page }) => {
  const tag = Date.now().toString(36).slice(-5);
  const name = `nightly shop ${tag}`;
  await openAs(page, 'operator@demo.dolly', '/');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Recipes' }).click();
  await expect(page.getByRole('heading', { name: 'Recipes', level: 1 })).toBeVisible();

  const form = page.getByRole('form', { name: 'Create a recipe' });
  // a schedule the server refuses, named under its field
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel('Source cluster').selectOption(find('gcp', 'shop-prod', 'dolly-demo-prod').id);
  await form.getByLabel('Target cluster').selectOption(find('aws', 'shop-dev').id);
  await form.getByLabel('Namespaces', { exact: true }).fill('shop');
  await form.getByLabel(/Rename namespaces/).fill(`shop=shop-rcp-${tag}`);
  await form.getByRole('checkbox', { name: /Copy Secrets/ }).check();
  await form.getByLabel(/Schedule/).fill('0 2 * *');
  await form.getByLabel('Time zone').fill('Europe/Berlin');
  await form.getByRole('button', { name: 'Save recipe' }).click();
  await expect(form.getByText(/five-field cron/).first()).toBeVisible();

  await form.getByLabel(/Schedule/).fill('0 2 * * *');
  await form.getByRole('button', { name: 'Save recipe' }).click();
  const row = page.locator(`tr[data-recipe="${name}"]`);
  await expect(row).toBeVisible();
  await expect(row).toContainText('0 2 * * *');
  await expect(row).toContainText('Europe/Berlin');
  await expect(row).toContainText('Never');
  await snapshot(page, 'recipes');

  await row.getByRole('button', { name: `Run ${name} now` }).click();
  const started = page.getByRole('status').filter({ hasText: `Started a run of ${name}` });
  await expect(started).toBeVisible();
  await started.getByRole('link').click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  await expect(page.locator('[data-status="succeeded"]')).toBeVisible({ timeout: 110_000 });

  // back on the list, the last run is the one that succeeded; switching it off stops the schedule
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Recipes' }).click();
  await expect(row.locator('[data-run-status="succeeded"]')).toBeVisible();
  await row.getByRole('button', { name: `Disable ${name}` }).click();
  await expect(row).toContainText('off');
  await expect(row.getByRole('button', { name: `Enable ${name}` })).toBeVisible();
});

test('a viewer sees the recipes but may not save or run one, and is told why', async ({ page }) => {
  await openAs(page, 'viewer@demo.dolly', '/recipes');
  await expect(page.getByRole('heading', { name: 'Recipes', level: 1 })).toBeVisible();
  await expect(page.getByText(/Viewers cannot save or run environment recipes/).first()).toBeVisible();
  await expect(page.getByRole('form', { name: 'Create a recipe' })).toHaveCount(0);
});
